import nodemailer from 'nodemailer';
import type SMTPPool from 'nodemailer/lib/smtp-pool/index.js';
import type { Delivery, SendResult } from '../../domain/delivery.ts';
import type { Channel } from '../../domain/notify-deps.ts';
import type { Preferences } from '../../domain/preferences.ts';
import { renderEmail } from './templates/index.ts';

export interface EmailChannelOptions {
  smtpUrl: string;
  from: string;
  timeoutMs: number;
}

// Failures below the SMTP layer that a later attempt may not meet again.
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'EPROTOCOL']);

/** SMTP 4xx replies and connection trouble are transient; 5xx replies (bad mailbox, refused content) are final. */
export function classifySmtpError(err: unknown): { transient: boolean; error: string } {
  const e = err as { responseCode?: unknown; code?: unknown; response?: unknown; message?: unknown };
  const message = typeof e.response === 'string' ? e.response : typeof e.message === 'string' ? e.message : String(err);
  if (typeof e.responseCode === 'number') {
    return { transient: e.responseCode >= 400 && e.responseCode < 500, error: `SMTP ${e.responseCode}: ${message}` };
  }
  const code = typeof e.code === 'string' ? e.code : '';
  return { transient: TRANSIENT_CODES.has(code) || code === '', error: code === '' ? message : `${code}: ${message}` };
}

export interface EmailChannel extends Channel {
  close(): void;
}

/**
 * Email through nodemailer over SMTP, one pooled transport per app. The Message-ID is derived from the
 * delivery id, so a message re-sent after a lost answer carries the same id and a receiver can tell.
 */
export function emailChannel(opts: EmailChannelOptions): EmailChannel {
  const options: SMTPPool.Options = {
    url: opts.smtpUrl,
    pool: true,
    maxConnections: 5,
    connectionTimeout: opts.timeoutMs,
    greetingTimeout: opts.timeoutMs,
    socketTimeout: opts.timeoutMs,
  };
  const transport = nodemailer.createTransport(options);
  return {
    async send(d: Delivery, prefs: Preferences): Promise<SendResult> {
      if (prefs.email === null) return { ok: false, transient: false, error: 'the user has no email address any more' };
      const mail = renderEmail(d.content);
      try {
        const info = await transport.sendMail({
          from: opts.from,
          to: prefs.email,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          messageId: `<${d.id}@notification.lifeline>`,
          priority: d.priority === 'emergency' ? 'high' : 'normal',
          headers: { 'X-Lifeline-Notification-Id': d.id, 'X-Lifeline-Kind': d.content.kind },
        });
        return { ok: true, providerMessageId: info.messageId };
      } catch (err) {
        return { ok: false, ...classifySmtpError(err) };
      }
    },
    close() {
      transport.close();
    },
  };
}
