import { inOutboxTransaction } from '@lifeline/db';
import { deliveriesFor, findDelivery, insertDelivery, type NewDelivery } from '../data/delivery-repository.ts';
import { findPreferences } from '../data/preference-repository.ts';
import { nextFallback, planChannels, type ChannelDecision } from './channel-plan.ts';
import { deliver } from './deliver.ts';
import { emitDeliveryEvent } from './delivery-events.ts';
import { deliveryId } from './delivery-id.ts';
import type { Delivery, DeliveryOutcome } from './delivery.ts';
import { boundedContent, type NotificationChannel, type NotificationContent, type NotificationRequest } from './notification.ts';
import type { NotifyDeps } from './notify-deps.ts';
import { CONTACT_EMAIL_FIELD, contactPreferences, contactUserId, type OutsideContact } from './outside-contact.ts';

/**
 * Like Promise.all, but a failure (database or Redis down) is only raised once every other delivery has
 * stopped: the handler then answers RETRY with nothing of this event still running behind its back.
 */
async function settleAll<T>(work: Array<Promise<T>>): Promise<T[]> {
  const settled = await Promise.allSettled(work);
  const failed = settled.find((s) => s.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((s) => (s as PromiseFulfilledResult<T>).value);
}

/** What the event handler answers: RETRY while anything is unfinished, DROP (dead letter) when a delivery failed. */
export type NotifyOutcome = 'SUCCESS' | 'RETRY' | 'DROP';

export function handlerOutcome(outcomes: readonly DeliveryOutcome[]): NotifyOutcome {
  if (outcomes.includes('pending')) return 'RETRY';
  if (outcomes.includes('failed')) return 'DROP';
  return 'SUCCESS';
}

function newDelivery(request: NotificationRequest, userId: string, channel: NotificationChannel, content: NotificationContent): NewDelivery {
  return {
    id: deliveryId(request.cause.id, userId, channel),
    causeEventId: request.cause.id,
    causeEventType: request.cause.type,
    subject: request.cause.subject,
    userId,
    channel,
    category: request.category,
    priority: request.priority,
    content,
  };
}

/**
 * Creates an event's deliveries for one user in one transaction, each suppressed one together with its event;
 * a delivery that exists already is left as it is. One transaction per user rather than per channel: most
 * events find some channels switched off, and each of those is a row and an event.
 */
async function createAll(deps: NotifyDeps, deliveries: readonly NewDelivery[]): Promise<void> {
  const suppressed = await inOutboxTransaction(deps, async (tx, emit) => {
    const made: Delivery[] = [];
    for (const d of deliveries) {
      if (!(await insertDelivery(tx, d)) || d.suppressed === undefined) continue;
      const row = await findDelivery(tx, d.id);
      if (row) {
        emitDeliveryEvent(emit, row);
        made.push(row);
      }
    }
    return made;
  });
  for (const d of suppressed) {
    deps.metrics.deliveries.inc({ channel: d.channel, status: 'suppressed', reason: d.reason ?? '' });
    deps.logger.info({ notificationId: d.id, userId: d.userId, channel: d.channel, reason: d.reason }, 'delivery suppressed');
  }
}

/**
 * Emergency fallbacks: every failed delivery gets a replacement on the next reserve channel, until one is
 * found for each or the reserve runs out. Idempotent: a failure already replaced is skipped.
 */
async function fallBack(deps: NotifyDeps, request: NotificationRequest, plan: ChannelDecision[], content: NotificationContent, rows: Delivery[], outcomes: Map<string, DeliveryOutcome>, deadline: number): Promise<void> {
  for (;;) {
    const replaced = new Set(rows.map((r) => r.fallbackFor).filter((c) => c !== null));
    const failed = rows.find((r) => outcomes.get(r.id) === 'failed' && !replaced.has(r.channel));
    const channel = failed && nextFallback(plan, new Set(rows.map((r) => r.channel)));
    if (!failed || !channel) return;
    deps.logger.warn({ userId: failed.userId, failedChannel: failed.channel, fallback: channel, causeEventId: request.cause.id }, 'emergency delivery failed: falling back to another channel');
    await createAll(deps, [{ ...newDelivery(request, failed.userId, channel, content), fallbackFor: failed.channel }]);
    const row = (await deliveriesFor(deps.prisma, request.cause.id, failed.userId)).find((r) => r.channel === channel);
    if (!row) return;
    rows.push(row);
    outcomes.set(row.id, await deliver(deps, row, deadline));
  }
}

async function notifyUser(deps: NotifyDeps, request: NotificationRequest, userId: string, deadline: number): Promise<DeliveryOutcome[]> {
  const prefs = await findPreferences(deps.prisma, userId);
  const content = boundedContent(request.content(prefs));
  const plan = planChannels(prefs, request.category, request.priority, new Date());
  await createAll(
    deps,
    plan
      .filter((decision) => decision.action !== 'reserve')
      .map((decision) => ({ ...newDelivery(request, userId, decision.channel, content), suppressed: decision.action === 'suppress' ? decision.reason : undefined })),
  );
  // Whatever exists for this event and user, including rows an earlier (interrupted) delivery of it made.
  const rows = await deliveriesFor(deps.prisma, request.cause.id, userId);
  const outcomes = new Map<string, DeliveryOutcome>();
  await settleAll(rows.map(async (row) => outcomes.set(row.id, await deliver(deps, row, deadline))));
  if (request.priority === 'emergency') await fallBack(deps, request, plan, content, rows, outcomes, deadline);
  return [...outcomes.values()];
}

/** An outside contact: one mail to their address, recorded like a user's delivery under their contact id. */
async function notifyContact(deps: NotifyDeps, request: NotificationRequest, contact: OutsideContact, deadline: number): Promise<DeliveryOutcome[]> {
  const userId = contactUserId(contact.contactId);
  const rendered = boundedContent(request.content(contactPreferences(contact)));
  const content = { ...rendered, data: { ...rendered.data, [CONTACT_EMAIL_FIELD]: contact.email } };
  await createAll(deps, [newDelivery(request, userId, 'email', content)]);
  const rows = await deliveriesFor(deps.prisma, request.cause.id, userId);
  return settleAll(rows.map((row) => deliver(deps, row, deadline)));
}

/** Delivers one notification request to every recipient on every channel their preferences allow. */
export async function notify(deps: NotifyDeps, request: NotificationRequest, deadline: number): Promise<NotifyOutcome> {
  const recipients = [...new Set(request.recipients)];
  const contacts = [...new Map((request.contacts ?? []).map((c) => [c.contactId, c])).values()];
  const outcomes = await settleAll([
    ...recipients.map((userId) => notifyUser(deps, request, userId, deadline)),
    ...contacts.map((contact) => notifyContact(deps, request, contact, deadline)),
  ]);
  return handlerOutcome(outcomes.flat());
}
