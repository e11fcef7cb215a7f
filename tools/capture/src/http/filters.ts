import { z } from 'zod';
import type { CapturedMessage, CapturedPush } from '../types.ts';

const since = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const nonEmpty = z.string().min(1);

export const messageQuerySchema = z.strictObject({
  to: nonEmpty.toLowerCase().optional(),
  from: z.string().toLowerCase().optional(),
  subject: nonEmpty.toLowerCase().optional(),
  since: since.optional(),
});

export function messageMatches(q: z.output<typeof messageQuerySchema>): (m: CapturedMessage) => boolean {
  return (m) =>
    (q.to === undefined || m.to.some((rcpt) => rcpt.toLowerCase() === q.to)) &&
    (q.from === undefined || m.from.toLowerCase() === q.from) &&
    (q.subject === undefined || m.subject.toLowerCase().includes(q.subject)) &&
    (q.since === undefined || Date.parse(m.receivedAt) >= q.since);
}

export const pushQuerySchema = z.strictObject({
  token: nonEmpty.optional(),
  since: since.optional(),
});

export function pushMatches(q: z.output<typeof pushQuerySchema>): (p: CapturedPush) => boolean {
  return (p) => (q.token === undefined || p.token === q.token) && (q.since === undefined || Date.parse(p.receivedAt) >= q.since);
}
