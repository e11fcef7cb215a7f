import { z } from 'zod';
import type { DaprClient } from '@lifeline/kit';

const trackSchema = z.object({
  items: z.array(z.object({ lat: z.number(), lon: z.number(), accuracyM: z.number().nullable(), recordedAt: z.string() }).loose()),
});

export interface TrackPoint {
  lat: number;
  lon: number;
  accuracyM: number | null;
  recordedAt: string;
}

export type TrackLookup = { ok: true; points: TrackPoint[] } | { ok: false; reason: string };

/** The most raw points one trail answer carries (the location route's own bound). */
export const TRACK_MAX = 5000;

/**
 * The person's raw track since an instant, from the location app's internal route
 * (`internal/people/{id}/track`, service invocation only: the location sidecar adds the app API token).
 * Never throws: an absent app, a timeout or an answer of another shape is `{ ok: false }` with the reason.
 */
export function locationTrack(dapr: Pick<DaprClient, 'invoke'>, appId: string) {
  return async (personId: string, since: Date): Promise<TrackLookup> => {
    try {
      const res = await dapr.invoke(appId, `internal/people/${encodeURIComponent(personId)}/track`, {
        httpMethod: 'GET',
        query: { since: since.toISOString(), limit: String(TRACK_MAX) },
      });
      if (res.status !== 200) return { ok: false, reason: `location answered ${res.status}` };
      const parsed = trackSchema.safeParse(res.body);
      if (!parsed.success) return { ok: false, reason: 'location answered a track of another shape' };
      return { ok: true, points: parsed.data.items.map((p) => ({ lat: p.lat, lon: p.lon, accuracyM: p.accuracyM, recordedAt: p.recordedAt })) };
    } catch (err) {
      return { ok: false, reason: `location could not be reached: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500) };
    }
  };
}

export type LocationTrack = ReturnType<typeof locationTrack>;
