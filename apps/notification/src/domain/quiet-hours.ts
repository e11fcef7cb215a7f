import { DateTime, IANAZone } from 'luxon';
import type { QuietHours } from './preferences.ts';

export const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export function isValidTimezone(zone: string): boolean {
  return IANAZone.isValidZone(zone);
}

function minutesOf(clock: string): number {
  const [h = '0', m = '0'] = clock.split(':');
  return Number(h) * 60 + Number(m);
}

/**
 * Whether `at` falls inside the quiet window, read on the wall clock of `timezone` (so DST shifts move the
 * window with the user's day). Start is inclusive, end exclusive; end before start crosses midnight.
 */
export function inQuietHours(quiet: QuietHours | null, timezone: string, at: Date): boolean {
  if (quiet === null) return false;
  const local = DateTime.fromJSDate(at, { zone: timezone });
  if (!local.isValid) return false;
  const now = local.hour * 60 + local.minute;
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  return start <= end ? now >= start && now < end : now >= start || now < end;
}
