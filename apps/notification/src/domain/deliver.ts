import { setTimeout as sleep } from 'node:timers/promises';
import { backoffDelay, inOutboxTransaction } from '@lifeline/db';
import { claimAttempt, finishDelivery, findDelivery, scheduleRetry, type FinalState } from '../data/delivery-repository.ts';
import { findPreferences } from '../data/preference-repository.ts';
import { emitDeliveryEvent } from './delivery-events.ts';
import type { Delivery, DeliveryOutcome, SendResult } from './delivery.ts';
import type { NotifyDeps } from './notify-deps.ts';
import { contactPreferencesOf } from './outside-contact.ts';

// While another worker holds a delivery, look again this often rather than sleeping out its whole lease.
const BUSY_POLL_MS = 250;

/**
 * Finishes one delivery: records the final state and its event in one transaction. When another worker
 * finished it first, nothing is written and its status is returned.
 */
export async function finish(deps: NotifyDeps, d: Delivery, final: FinalState): Promise<DeliveryOutcome> {
  const done = await inOutboxTransaction(deps, async (tx, emit) => {
    const updated = await finishDelivery(tx, d.id, final);
    if (updated) emitDeliveryEvent(emit, updated);
    return updated;
  });
  if (!done) return (await findDelivery(deps.prisma, d.id))?.status ?? 'pending';
  deps.metrics.deliveries.inc({ channel: done.channel, status: done.status, reason: done.reason ?? '' });
  const log = deps.logger.child({ notificationId: done.id, userId: done.userId, channel: done.channel, causeEventId: done.causeEventId });
  if (done.status === 'failed') log.warn({ attempts: done.attempts, error: done.lastError }, 'delivery failed');
  else log.info({ status: done.status, reason: done.reason ?? undefined, attempts: done.attempts }, `delivery ${done.status}`);
  return done.status;
}

async function attempt(deps: NotifyDeps, d: Delivery, attempts: number): Promise<SendResult> {
  const channel = deps.channels[d.channel];
  const prefs = contactPreferencesOf(d) ?? (await findPreferences(deps.prisma, d.userId));
  const end = deps.metrics.sendDuration.startTimer({ channel: d.channel });
  let result: SendResult;
  try {
    result = await channel.send({ ...d, attempts }, prefs);
  } catch (err) {
    // A channel answers failures itself; anything that escapes is unexpected, so it is given another chance.
    result = { ok: false, transient: true, error: err instanceof Error ? err.message : String(err) };
  } finally {
    end();
  }
  deps.metrics.attempts.inc({ channel: d.channel, result: result.ok ? 'ok' : result.transient ? 'transient' : 'permanent' });
  return result;
}

/**
 * Drives one delivery to a final state, or as far as the handler's deadline allows. Normal notifications
 * take a rate-limit slot before their first attempt. Each attempt is counted and leased before it is sent;
 * transient failures wait out an exponential backoff (base * 2^(attempt-1), capped, jittered, at least the
 * provider's Retry-After up to the cap) and try again
 * until the attempts are used up. A wait that would pass the deadline returns `pending`: the event is then
 * redelivered and this continues from the recorded attempts.
 */
export async function deliver(deps: NotifyDeps, d: Delivery, deadline: number): Promise<DeliveryOutcome> {
  if (d.status !== 'queued') return d.status;
  const { retry } = deps;
  if (d.priority === 'normal' && d.attempts === 0 && !(await deps.rateLimiter.acquire(d.userId, d.channel, d.id))) {
    return finish(deps, d, { status: 'suppressed', reason: 'rate-limited' });
  }
  for (;;) {
    const claim = await claimAttempt(deps.prisma, d.id, retry.leaseMs, retry.maxAttempts);
    if (claim.state === 'done') return claim.status;
    if (claim.state === 'exhausted') {
      return finish(deps, d, { status: 'failed', error: claim.lastError ?? 'the last attempt was interrupted' });
    }
    if (claim.state === 'busy') {
      if (Date.now() + claim.waitMs > deadline) return 'pending';
      await sleep(Math.min(claim.waitMs, BUSY_POLL_MS));
      continue;
    }
    const result = await attempt(deps, d, claim.attempts);
    if (result.ok) return finish(deps, d, { status: 'sent', providerMessageId: result.providerMessageId });
    if (!result.transient || claim.attempts >= retry.maxAttempts) return finish(deps, d, { status: 'failed', error: result.error });
    // The provider's Retry-After wins over a shorter backoff, but never beyond the configured cap.
    const delayMs = Math.max(backoffDelay(claim.attempts - 1, retry.baseMs, retry.maxMs), Math.min(result.retryAfterMs ?? 0, retry.maxMs));
    deps.logger.info({ notificationId: d.id, channel: d.channel, attempt: claim.attempts, delayMs, error: result.error }, 'transient delivery failure: retrying');
    await scheduleRetry(deps.prisma, d.id, result.error, delayMs);
  }
}
