// The records and fault shapes the HTTP API speaks; shared by the server and CaptureClient.

/** One mail as the SMTP transaction delivered it. */
export interface CapturedMessage {
  id: string;
  /** The Message-ID header, or null when the sender set none. */
  messageId: string | null;
  /** Envelope sender (MAIL FROM); '' for a null sender. The From header is in `headers.from`. */
  from: string;
  /** Envelope recipients (RCPT TO), which include Cc and Bcc recipients. */
  to: string[];
  subject: string;
  text: string | null;
  html: string | null;
  /** Every header, lower-case name → decoded text (addresses as written, dates as ISO); repeated ones joined by ', '. */
  headers: Record<string, string>;
  /** Size of the raw message in bytes. */
  size: number;
  receivedAt: string;
}

export interface PushNotification {
  title?: string;
  body?: string;
  image?: string;
}

/** One FCM HTTP v1 send that was accepted. */
export interface CapturedPush {
  id: string;
  /** What FCM answered: projects/<project>/messages/<id>. */
  name: string;
  project: string;
  token: string;
  notification: PushNotification | null;
  data: Record<string, string>;
  android: Record<string, unknown> | null;
  apns: Record<string, unknown> | null;
  webpush: Record<string, unknown> | null;
  receivedAt: string;
}

/** The SMTP command a fault answers: MAIL FROM, RCPT TO or the end of DATA. */
export type SmtpStage = 'mail' | 'rcpt' | 'data';

export interface SmtpFaultMatch {
  /** Envelope sender, compared case-insensitively. */
  from?: string;
  /** An envelope recipient, compared case-insensitively; not usable at stage 'mail'. */
  to?: string;
}

export interface SmtpFaultInput {
  /** SMTP reply code, 400-599. */
  code: number;
  /** Reply text sent verbatim after the code, e.g. "4.3.0 try again later". */
  message: string;
  stage: SmtpStage;
  /** How many matching transactions get the reply; 1 when left out. */
  times?: number;
  match?: SmtpFaultMatch;
}

export interface SmtpFault {
  id: string;
  code: number;
  message: string;
  stage: SmtpStage;
  /** Matching transactions still to fail; the fault leaves the queue at 0. */
  remaining: number;
  match: SmtpFaultMatch | null;
}

export type PushFaultStatus = 429 | 500 | 503;

export interface PushFaultInput {
  status: PushFaultStatus;
  /** How many matching sends get the error; 1 when left out. */
  times?: number;
  /** Retry-After header in seconds: always sent on 429 (1 when left out), on 500/503 only when set. */
  retryAfterSeconds?: number;
  match?: { token: string };
}

export interface PushFault {
  id: string;
  status: PushFaultStatus;
  remaining: number;
  retryAfterSeconds: number | null;
  match: { token: string } | null;
}

export interface MessageFilter {
  /** An envelope recipient (case-insensitive). */
  to?: string;
  /** The envelope sender (case-insensitive). */
  from?: string;
  /** Part of the subject (case-insensitive). */
  subject?: string;
  /** Received at or after this instant. */
  since?: string | Date;
}

export interface PushFilter {
  token?: string;
  since?: string | Date;
}

export interface CaptureHealth {
  status: 'ok';
  smtpPort: number;
  messages: number;
  pushes: number;
}
