import { createTransport, type Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { CaptureClient, startCapture, type CaptureOptions, type RunningCapture } from '../../src/index.ts';

export interface TestCapture {
  capture: RunningCapture;
  client: CaptureClient;
  baseUrl: string;
  /** A real nodemailer SMTP transport pointed at the capture server. */
  mailer(extra?: SMTPTransport.Options): Transporter<SMTPTransport.SentMessageInfo>;
  /** Raw HTTP against the capture API, for what CaptureClient does not let one get wrong. */
  http(method: string, path: string, body?: string | object, headers?: Record<string, string>): Promise<Response>;
  close(): Promise<void>;
}

/** A capture server of its own on free ports, so test files never share state. */
export async function startTestCapture(options: Partial<CaptureOptions> = {}): Promise<TestCapture> {
  const errors: unknown[] = [];
  const capture = await startCapture({ smtpPort: 0, httpPort: 0, onError: (err) => errors.push(err), ...options });
  const baseUrl = `http://127.0.0.1:${capture.httpPort}`;
  const transports: Transporter[] = [];
  return {
    capture,
    baseUrl,
    client: new CaptureClient(baseUrl),
    mailer(extra = {}) {
      const transport = createTransport({ host: '127.0.0.1', port: capture.smtpPort, secure: false, ...extra });
      transports.push(transport);
      return transport;
    },
    http(method, path, body, headers = {}) {
      const payload = body === undefined || typeof body === 'string' ? body : JSON.stringify(body);
      return fetch(baseUrl + path, { method, headers, ...(payload === undefined ? {} : { body: payload }) });
    },
    async close() {
      for (const t of transports) t.close();
      await capture.close();
      // An error nobody asserted on (unparseable mail, socket trouble) must fail the file.
      if (errors.length > 0) throw new Error(`capture server reported errors: ${errors.map(String).join('; ')}`);
    },
  };
}
