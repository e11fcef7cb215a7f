import { DateTime } from 'luxon';

/** "Mon 30 Mar 2026, 08:00 (Europe/Berlin)": the wall-clock time a person reads, with the zone it is in. */
export function localTime(iso: string, zone: string): string {
  const at = DateTime.fromISO(iso, { zone, setZone: false }).setZone(zone);
  if (!at.isValid) return iso;
  return `${at.setLocale('en-GB').toFormat('ccc d LLL yyyy, HH:mm')} (${zone})`;
}
