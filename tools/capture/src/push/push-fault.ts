import { z } from 'zod';
import type { PushFault, PushFaultInput } from '../types.ts';

export const pushFaultInputSchema = z.strictObject({
  status: z.union([z.literal(429), z.literal(500), z.literal(503)]),
  times: z.int().min(1).max(100_000).default(1),
  retryAfterSeconds: z.int().min(0).max(86_400).optional(),
  match: z.strictObject({ token: z.string().min(1) }).optional(),
}) satisfies z.ZodType<unknown, PushFaultInput>;

/** FCM always tells a throttled sender when to come back. */
const DEFAULT_429_RETRY_AFTER_SECONDS = 1;

export function queuedPushFault(input: z.output<typeof pushFaultInputSchema>): Omit<PushFault, 'id'> {
  const retryAfterSeconds = input.retryAfterSeconds ?? (input.status === 429 ? DEFAULT_429_RETRY_AFTER_SECONDS : null);
  return { status: input.status, remaining: input.times, retryAfterSeconds, match: input.match ?? null };
}

export function pushFaultApplies(fault: PushFault, token: string): boolean {
  return fault.match === null || fault.match.token === token;
}
