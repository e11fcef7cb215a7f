import { randomUUID } from 'node:crypto';
import type { HeaderValue, ParsedMail } from 'mailparser';
import type { CapturedMessage } from '../types.ts';

export interface Envelope {
  from: string;
  to: string[];
}

/** mailparser structures some headers (addresses, dates, parameters); tests compare them as text. */
function headerText(value: HeaderValue): string {
  if (typeof value === 'string') return value;
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString();
  if (Array.isArray(value)) return value.map((v: HeaderValue) => headerText(v)).join(', ');
  if ('text' in value) return value.text;
  const params = Object.entries(value.params).map(([k, v]) => `; ${k}=${JSON.stringify(v)}`);
  return value.value + params.join('');
}

export function toCapturedMessage(parsed: ParsedMail, envelope: Envelope, size: number, receivedAt: Date): CapturedMessage {
  const headers: Record<string, string> = {};
  for (const [name, value] of parsed.headers) headers[name] = headerText(value);
  return {
    id: randomUUID(),
    messageId: parsed.messageId ?? null,
    from: envelope.from,
    to: envelope.to,
    subject: parsed.subject ?? '',
    text: parsed.text ?? null,
    html: parsed.html === false ? null : parsed.html,
    headers,
    size,
    receivedAt: receivedAt.toISOString(),
  };
}
