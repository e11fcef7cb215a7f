// The notification ceiling shared by bench:notify and bench:emergency: the app's own email channel (nodemailer
// with the app's pooled transport and options) sending the app's own rendered mail straight to the SMTP
// capture, with no Dapr, broker, database or rate limiter in front; 1 send in flight, then as many as the
// app's SMTP pool.
import { setTimeout as sleep } from 'node:timers/promises';
import type { CaptureClient } from '@lifeline/capture';
import type { Platform } from '@lifeline/e2e/harness';
// The app's own channel and config schema: the ceiling sends exactly what the app sends, as the app sends it.
import { emailChannel } from '../../apps/notification/src/channels/email/email-channel.ts';
import { notificationConfigShape } from '../../apps/notification/src/config.ts';
import { reminderMail, sendLoop, type SendLoopResult } from './email-ceiling.ts';
import { benchUsers, recipientOf, type BenchUser } from './notification-users.ts';
import { ms, summarize } from './stats.ts';

const APP = 'notification';
/** maxConnections of the app's pooled SMTP transport (src/channels/email/email-channel.ts): its send concurrency. */
export const APP_SMTP_CONNECTIONS = 5;
const WARM_UP_MAILS = 50;

type Row = Record<string, string | number>;

/** The values the app runs with: the env the harness starts it with (this process's, then dapr.yaml's), read by the app's own schema. */
export function notificationSettings(platform: Platform) {
  const env = { ...process.env, ...platform.template.commonEnv, ...platform.app(APP).env };
  const s = notificationConfigShape;
  return {
    smtpUrl: s.SMTP_URL.parse(env.SMTP_URL),
    from: s.MAIL_FROM.parse(env.MAIL_FROM),
    timeoutMs: s.SEND_TIMEOUT_MS.parse(env.SEND_TIMEOUT_MS),
    rateLimitMax: s.RATE_LIMIT_MAX.parse(env.RATE_LIMIT_MAX),
  };
}

/** Mails the capture server holds, once it holds `expected` or 10 s have passed (it records a mail after answering DATA). */
export async function capturedMails(capture: CaptureClient, expected: number): Promise<number> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const { messages } = await capture.health();
    if (messages >= expected || Date.now() >= deadline) return messages;
    await sleep(100);
  }
}

export async function mailBytes(capture: CaptureClient, user: BenchUser): Promise<number | string> {
  const [sample] = await capture.messages({ to: user.email });
  return sample?.size ?? '-';
}

function ceilingRow(label: string, r: SendLoopResult, captured: number, bytes: number | string): Row {
  const s = summarize(r.latenciesMs);
  return {
    path: label,
    mails: r.sent,
    'mails/s': Math.round(r.sent / r.elapsedS),
    p50: ms(s.p50),
    p99: ms(s.p99),
    'latency of': 'one send',
    captured,
    'mail bytes': bytes,
    'not sent': r.failed === 0 ? '0' : `${r.failed} failed (${r.firstError ?? ''})`,
  };
}

export interface EmailCeiling {
  rows: Row[];
  /** One loop per in-flight count: 1, then APP_SMTP_CONNECTIONS. */
  loops: Array<{ inFlight: number; result: SendLoopResult }>;
}

/** Each loop sends `mailsPerLoop` mails after clearing the capture server, which then holds exactly that loop's. */
export async function emailCeiling(platform: Platform, capture: CaptureClient, prefix: string, mailsPerLoop: number): Promise<EmailCeiling> {
  const app = notificationSettings(platform);
  const channel = emailChannel({ smtpUrl: app.smtpUrl, from: app.from, timeoutMs: app.timeoutMs });
  try {
    // Addressed like the pipeline's mails, so the rendered size is the same.
    const users = benchUsers(prefix, 'direct', mailsPerLoop, app.rateLimitMax);
    const mails = (n: number) => Array.from({ length: n }, (_, i) => reminderMail(recipientOf(users, i)));
    await sendLoop(channel, mails(WARM_UP_MAILS), APP_SMTP_CONNECTIONS); // connections, JIT
    const rows: Row[] = [];
    const loops: EmailCeiling['loops'] = [];
    for (const inFlight of [1, APP_SMTP_CONNECTIONS]) {
      const batch = mails(mailsPerLoop);
      await capture.reset();
      const r = await sendLoop(channel, batch, inFlight);
      loops.push({ inFlight, result: r });
      const label = `nodemailer direct (ceiling), ${inFlight} in flight${inFlight === APP_SMTP_CONNECTIONS ? ' = app SMTP pool' : ''}`;
      rows.push(ceilingRow(label, r, await capturedMails(capture, r.sent), await mailBytes(capture, recipientOf(users, 0))));
    }
    return { rows, loops };
  } finally {
    channel.close();
  }
}


