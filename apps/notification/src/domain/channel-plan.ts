import type { NotificationSuppressionReason } from '@lifeline/contracts';
import { CHANNELS, type NotificationCategory, type NotificationChannel, type NotificationPriority } from './notification.ts';
import { hasDestination, type Preferences } from './preferences.ts';
import { inQuietHours } from './quiet-hours.ts';

export type ChannelDecision =
  | { channel: NotificationChannel; action: 'deliver' }
  | { channel: NotificationChannel; action: 'suppress'; reason: NotificationSuppressionReason }
  /** Emergency only: kept in reserve, used when a delivered channel fails. */
  | { channel: NotificationChannel; action: 'reserve' };

/** Emergency fallbacks are tried in this order: a phone first, then the mailbox, then any open app. */
export const FALLBACK_ORDER: readonly NotificationChannel[] = ['push', 'email', 'websocket'];

/**
 * Which channels one notification goes to for one user. Normal notifications respect the user's channel and
 * category switches and quiet hours (rate limits are applied at send time). Emergencies ignore all three: they
 * go to the reachable channels the user switched on (every reachable one when none is), the rest stay in reserve as
 * fallbacks. A channel with nowhere to go (no address, no push token) is suppressed as `no-address` either way.
 */
export function planChannels(
  prefs: Preferences,
  category: NotificationCategory,
  priority: NotificationPriority,
  now: Date,
): ChannelDecision[] {
  if (priority === 'emergency') {
    const reachable = CHANNELS.filter((c) => hasDestination(prefs, c));
    const chosen = reachable.filter((c) => prefs.channels[c]);
    const primary = new Set(chosen.length > 0 ? chosen : reachable);
    return CHANNELS.map((channel) => {
      if (!hasDestination(prefs, channel)) return { channel, action: 'suppress', reason: 'no-address' };
      return { channel, action: primary.has(channel) ? 'deliver' : 'reserve' };
    });
  }
  const quiet = inQuietHours(prefs.quietHours, prefs.timezone, now);
  return CHANNELS.map((channel): ChannelDecision => {
    if (!prefs.channels[channel] || !prefs.categories[category]) return { channel, action: 'suppress', reason: 'preference-disabled' };
    if (!hasDestination(prefs, channel)) return { channel, action: 'suppress', reason: 'no-address' };
    if (quiet) return { channel, action: 'suppress', reason: 'quiet-hours' };
    return { channel, action: 'deliver' };
  });
}

/** The next reserve channel to try after a delivery failed, skipping every channel this user already has a delivery on. */
export function nextFallback(plan: readonly ChannelDecision[], used: ReadonlySet<NotificationChannel>): NotificationChannel | undefined {
  return FALLBACK_ORDER.find((c) => !used.has(c) && plan.some((d) => d.channel === c && d.action === 'reserve'));
}
