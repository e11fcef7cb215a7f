import type { Delivery, SendResult } from '../../domain/delivery.ts';
import type { Channel } from '../../domain/notify-deps.ts';
import type { Preferences } from '../../domain/preferences.ts';
import type { PushGateway } from './push-gateway.ts';
import type { PushResult } from './fcm.ts';

export interface PushChannelOptions {
  gateway: PushGateway;
  /** The provider said the token is dead: it leaves the user's preferences. */
  removeToken: (userId: string, token: string) => Promise<void>;
}

/**
 * FCM caps the data payload at 4 KB: a push carries what the app needs to open the right screen (the ids),
 * while title and body are shown by the device itself.
 */
export function pushData(d: Delivery): Record<string, string> {
  const ids = Object.entries(d.content.data).filter(([key]) => key.endsWith('Id'));
  return { ...Object.fromEntries(ids), notificationId: d.id, kind: d.content.kind, category: d.category };
}

/**
 * One push per registered device token. Sent when at least one device took it; dead tokens are removed
 * either way. With no device reached, any transient answer makes the whole delivery transient (every token
 * is tried again), otherwise it failed.
 */
export function pushChannel(opts: PushChannelOptions): Channel {
  return {
    async send(d: Delivery, prefs: Preferences): Promise<SendResult> {
      if (prefs.pushTokens.length === 0) return { ok: false, transient: false, error: 'the user has no push token any more' };
      const message = { title: d.content.title, body: d.content.body, data: pushData(d), urgent: d.priority === 'emergency' };
      const results: PushResult[] = await Promise.all(prefs.pushTokens.map((token) => opts.gateway.send({ ...message, token })));
      const deadTokens = prefs.pushTokens.filter((_, i) => results[i]?.kind === 'bad-token');
      for (const token of deadTokens) await opts.removeToken(d.userId, token);
      const names = results.flatMap((r) => (r.kind === 'sent' ? [r.name] : []));
      if (names.length > 0) return { ok: true, providerMessageId: names.join(' ') };
      const errors = results.flatMap((r) => (r.kind === 'sent' ? [] : [r.error]));
      const retryAfter = Math.max(0, ...results.map((r) => (r.kind === 'transient' ? (r.retryAfterMs ?? 0) : 0)));
      return { ok: false, transient: results.some((r) => r.kind === 'transient'), error: errors.join('; '), ...(retryAfter > 0 ? { retryAfterMs: retryAfter } : {}) };
    },
  };
}
