import { z } from 'zod';
import { geoPositionSchema, type GeoPosition } from '@lifeline/contracts';
import { signToken, type AuthSettings, type DaprClient } from '@lifeline/kit';
import type { DistanceLookup } from '../domain/nearest-first.ts';

/** What the location app answers (issue 12): the latest position, and a trail of downsampled points. */
const latestSchema = z.object({ lat: z.number(), lon: z.number(), accuracyM: z.number().nullable().optional(), recordedAt: z.string() }).loose();
const trailSchema = z.object({ items: z.array(latestSchema) }).loose();
const distancesSchema = z.object({ items: z.array(z.object({ userId: z.string(), distanceM: z.number().nonnegative().nullable() }).loose()) }).loose();

export interface LocationSnapshot {
  latest: GeoPosition | null;
  /** Oldest first, at most TRAIL_MAX points. */
  trail: GeoPosition[];
}

export type LocationLookup = { ok: true; snapshot: LocationSnapshot } | { ok: false; reason: string };

export interface LocationClientOptions {
  /** A sidecar client whose timeout is the lookup's budget: an absent location app must never hold up anything. */
  dapr: Pick<DaprClient, 'invoke'>;
  appId: string;
  jwt: AuthSettings;
  serviceId: string;
}

const TRAIL_MINUTES = 30;
const TRAIL_MAX = 100;

function position(p: z.infer<typeof latestSchema>): GeoPosition | null {
  const parsed = geoPositionSchema.safeParse({ lat: p.lat, lon: p.lon, accuracyM: p.accuracyM ?? null, recordedAt: p.recordedAt });
  return parsed.success ? parsed.data : null;
}

/**
 * Asks the location app, through the sidecar, for a person's last known position and the trail of the last
 * 30 minutes, with a short-lived service token whose care claim names only that person. Never throws: an
 * absent app, a timeout or an answer of another shape is `{ ok: false }` with the reason.
 */
export class LocationClient {
  readonly #opts: LocationClientOptions;

  constructor(opts: LocationClientOptions) {
    this.#opts = opts;
  }

  async #get(personId: string, method: string, query: Record<string, string> = {}): Promise<{ status: number; body: unknown }> {
    const { jwt, serviceId } = this.#opts;
    const token = await signToken(jwt.JWT_SECRET, { sub: serviceId, roles: ['caregiver'], care: [personId], service: true }, { issuer: jwt.JWT_ISSUER, audience: jwt.JWT_AUDIENCE, expiresInSeconds: 60 });
    return this.#opts.dapr.invoke(this.#opts.appId, method, { httpMethod: 'GET', query, headers: { authorization: `Bearer ${token}` } });
  }

  async snapshot(personId: string): Promise<LocationLookup> {
    const person = encodeURIComponent(personId);
    try {
      const latest = await this.#get(personId, `location/people/${person}/latest`);
      if (latest.status === 404) return { ok: true, snapshot: { latest: null, trail: [] } };
      if (latest.status !== 200) return { ok: false, reason: `location answered ${latest.status}` };
      const parsed = latestSchema.safeParse(latest.body);
      if (!parsed.success) return { ok: false, reason: 'location answered a position of another shape' };
      const from = new Date(Date.now() - TRAIL_MINUTES * 60_000).toISOString();
      const trail = await this.#get(personId, `location/people/${person}/trail`, { from, to: new Date().toISOString() });
      const points = trail.status === 200 ? (trailSchema.safeParse(trail.body).data?.items ?? []) : [];
      return {
        ok: true,
        snapshot: { latest: position(parsed.data), trail: points.flatMap((p) => position(p) ?? []).slice(-TRAIL_MAX) },
      };
    } catch (err) {
      return { ok: false, reason: `location could not be reached: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500) };
    }
  }

  /**
   * Metres from the person's latest position to each user's, null when either is unknown: the internal route
   * `POST internal/people/{id}/distances` (app API token, which the location sidecar adds). Never throws.
   */
  async distances(personId: string, userIds: readonly string[]): Promise<DistanceLookup> {
    try {
      const res = await this.#opts.dapr.invoke(this.#opts.appId, `internal/people/${encodeURIComponent(personId)}/distances`, { httpMethod: 'POST', body: { userIds } });
      if (res.status !== 200) return { ok: false, reason: `location answered ${res.status}` };
      const parsed = distancesSchema.safeParse(res.body);
      if (!parsed.success) return { ok: false, reason: 'location answered distances of another shape' };
      const asked = new Set(userIds);
      return { ok: true, distances: new Map(parsed.data.items.filter((i) => asked.has(i.userId)).map((i) => [i.userId, i.distanceM])) };
    } catch (err) {
      return { ok: false, reason: `location could not be reached: ${err instanceof Error ? err.message : String(err)}`.slice(0, 500) };
    }
  }
}
