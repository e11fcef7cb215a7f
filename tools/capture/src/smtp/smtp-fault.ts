import { z } from 'zod';
import type { SmtpFault, SmtpFaultInput, SmtpStage } from '../types.ts';

const address = z.string().trim().min(1).max(320).toLowerCase();

export const smtpFaultInputSchema = z
  .strictObject({
    code: z.int().min(400).max(599),
    // A CR or LF would end the reply line early and desynchronise the client.
    message: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[^\p{Cc}]*$/u, 'must not contain control characters'),
    stage: z.enum(['mail', 'rcpt', 'data']),
    times: z.int().min(1).max(100_000).default(1),
    match: z.strictObject({ from: address.optional(), to: address.optional() }).optional(),
  })
  .refine((f) => !(f.stage === 'mail' && f.match?.to !== undefined), {
    message: "match.to cannot be used at stage 'mail': the recipients are not known yet",
    path: ['match', 'to'],
  }) satisfies z.ZodType<unknown, SmtpFaultInput>;

export function queuedSmtpFault(input: z.output<typeof smtpFaultInputSchema>): Omit<SmtpFault, 'id'> {
  const match = input.match && (input.match.from !== undefined || input.match.to !== undefined) ? input.match : null;
  return { code: input.code, message: input.message, stage: input.stage, remaining: input.times, match };
}

/** What the transaction has shown so far at the stage being answered. */
export interface TransactionView {
  from: string;
  /** At 'rcpt': the recipient being added; at 'data': every recipient. */
  to: string[];
}

export function smtpFaultApplies(fault: SmtpFault, stage: SmtpStage, view: TransactionView): boolean {
  if (fault.stage !== stage) return false;
  const { from, to } = fault.match ?? {};
  if (from !== undefined && view.from.toLowerCase() !== from) return false;
  if (to !== undefined && !view.to.some((rcpt) => rcpt.toLowerCase() === to)) return false;
  return true;
}

/** smtp-server replies `<responseCode> <message>` for an error passed to a command callback. */
export function smtpReplyError(fault: SmtpFault): Error {
  return Object.assign(new Error(fault.message), { responseCode: fault.code });
}
