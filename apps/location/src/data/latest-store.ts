import type { Redis } from 'ioredis';
import { haversineM, type LatLon } from '../domain/geometry/sphere.ts';
import type { Position } from '../domain/position.ts';

export interface Nearby {
  personId: string;
  distanceM: number;
  position: Position;
}

/*
 * Latest position per person: a hash (t = recordedAt in ms, p = the position as JSON) and the person's member
 * in one GEO set. One Lua script compares and writes both, so replicas racing with points of one person can
 * never move the latest back to an older recordedAt, and the GEO set always agrees with the hash.
 */
const SCRIPT = `
local current = redis.call('HGET', KEYS[1], 't')
if current and tonumber(current) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 't', ARGV[1], 'p', ARGV[2])
redis.call('PEXPIRE', KEYS[1], ARGV[6])
redis.call('GEOADD', KEYS[2], ARGV[3], ARGV[4], ARGV[5])
return 1`;

/** A latest position older than the raw history is gone with it. */
const LATEST_TTL_MS = 7 * 86_400_000;

export interface LatestStore {
  /** Moves the person's latest to `p` when it is newer; true when it moved. */
  offer(personId: string, p: Position): Promise<boolean>;
  /** offer for many people in one pipeline (one round trip); per item, whether it moved or why it failed. */
  offerMany(items: ReadonlyArray<{ personId: string; position: Position }>): Promise<Array<boolean | Error>>;
  get(personId: string): Promise<Position | undefined>;
  /**
   * Those of `candidates` whose latest lies within radiusM of the centre, nearest first, at most `limit`.
   * Measured on the GEO set's coordinates of the candidates only (GEOPOS): who may be seen is decided
   * before anything is searched, so neither radius nor limit can reveal anyone else.
   */
  nearby(center: LatLon, radiusM: number, candidates: readonly string[], limit: number): Promise<Nearby[]>;
  ping(): Promise<void>;
}

export function redisLatestStore(redis: Redis, prefix: string): LatestStore {
  const key = (personId: string) => `${prefix}latest:{${personId}}`;
  const geoKey = `${prefix}geo`;
  redis.defineCommand('locationOfferLatest', { numberOfKeys: 2, lua: SCRIPT });
  const offer = (redis as unknown as { locationOfferLatest(...args: Array<string | number>): Promise<number> }).locationOfferLatest.bind(redis);
  const argsOf = (personId: string, p: Position) => [key(personId), geoKey, Date.parse(p.recordedAt), JSON.stringify(p), p.lon, p.lat, personId, LATEST_TTL_MS];

  return {
    async offer(personId, p) {
      const moved = await offer(...argsOf(personId, p));
      return moved === 1;
    },
    async offerMany(items) {
      if (items.length === 0) return [];
      const pipeline = redis.pipeline() as unknown as { locationOfferLatest(...args: Array<string | number>): void; exec(): Promise<Array<[Error | null, unknown]> | null> };
      for (const { personId, position } of items) pipeline.locationOfferLatest(...argsOf(personId, position));
      const results = await pipeline.exec();
      return items.map((_, i) => {
        const [err, moved] = results?.[i] ?? [new Error('redis pipeline returned no result'), 0];
        return err ?? moved === 1;
      });
    },
    async get(personId) {
      const text = await redis.hget(key(personId), 'p');
      return text === null ? undefined : (JSON.parse(text) as Position);
    },
    async nearby(center, radiusM, candidates, limit) {
      if (candidates.length === 0) return [];
      const coords = (await redis.geopos(geoKey, ...candidates)) as Array<[string, string] | null>;
      const near = candidates
        .flatMap((personId, i) => {
          const at = coords[i];
          if (!at) return [];
          const distanceM = haversineM(center, { lon: Number(at[0]), lat: Number(at[1]) });
          return distanceM <= radiusM ? [{ personId, distanceM }] : [];
        })
        .sort((a, b) => a.distanceM - b.distanceM)
        .slice(0, limit);
      if (near.length === 0) return [];
      const texts = await redis.pipeline(near.map((n) => ['hget', key(n.personId), 'p'])).exec();
      // A member whose hash expired (no point for a week) is stale: left out.
      return near.flatMap((n, i) => {
        const text = texts?.[i]?.[1];
        return typeof text === 'string' ? [{ personId: n.personId, distanceM: Math.round(n.distanceM * 10) / 10, position: JSON.parse(text) as Position }] : [];
      });
    },
    async ping() {
      if ((await redis.ping()) !== 'PONG') throw new Error('redis did not answer PONG');
    },
  };
}
