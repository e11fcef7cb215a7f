import { randomUUID } from 'node:crypto';
import type { CaptureState } from '../capture-state.ts';
import type { Reply } from '../http/reply.ts';
import { injectedFault, invalidArgument, unregistered } from './fcm-errors.ts';
import { parseFcmSendRequest } from './fcm-message.ts';
import { pushFaultApplies } from './push-fault.ts';

/**
 * One messages:send call, answered in FCM's order of checks: a malformed request is refused before
 * anything else (and uses up no fault), then injected outages, then the token's registration.
 */
export function sendPush(state: CaptureState, project: string, body: unknown, now: Date): Reply {
  const parsed = parseFcmSendRequest(body);
  if (!parsed.ok) return invalidArgument(parsed.violations);
  const { message, validateOnly } = parsed.request;

  const fault = state.pushFaults.take((f) => pushFaultApplies(f, message.token));
  if (fault) return injectedFault(fault.status, fault.retryAfterSeconds);
  if (state.unregisteredTokens.has(message.token)) return unregistered();

  const id = randomUUID();
  const name = `projects/${project}/messages/${id}`;
  // validate_only asks FCM to check the message without delivering it.
  if (!validateOnly) {
    state.pushes.add({
      id,
      name,
      project,
      token: message.token,
      notification: message.notification ?? null,
      data: message.data ?? {},
      android: message.android ?? null,
      apns: message.apns ?? null,
      webpush: message.webpush ?? null,
      receivedAt: now.toISOString(),
    });
  }
  return { status: 200, contentType: 'application/json; charset=UTF-8', body: { name } };
}
