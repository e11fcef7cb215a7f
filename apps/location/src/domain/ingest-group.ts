import { serviceUnavailable, type AuthContext } from '@lifeline/kit';
import type { OutboxEntry } from '@lifeline/db';
import type { Pool } from '../data/db.ts';
import {
  activeFencesOf,
  fixKey,
  lockInsertAndClaim,
  saveStatesAndEvents,
  type PersonFenceState,
  type PersonPosition,
} from '../data/ingest-repository.ts';
import type { LatestStore } from '../data/latest-store.ts';
import { evaluateCrossings, type Crossing } from './crossings.ts';
import { crossingEvent } from './geofence-event.ts';
import { livePositionEntry } from './live-position-event.ts';
import type { Position } from './position.ts';

export interface IngestRequest {
  caller: AuthContext;
  personId: string;
  /** One per recordedAt, oldest first (inRecordedOrder). */
  points: readonly Position[];
}

export interface IngestOutcome {
  /** Points this request stored. */
  accepted: number;
  crossings: Crossing[];
}

export interface IngestGroupDeps {
  sql: Pool;
  latest: LatestStore;
  livePositionIntervalMs: number;
  outboxWritten: () => void;
  now: () => Date;
}

/** Ingest transactions stay short: the trail job relies on none lasting longer than 15 s. */
const TRANSACTION_TIMEOUT_MS = 15_000;

/**
 * One group commit of many requests (any people, a person possibly in several of them): one transaction
 * stores every fix, evaluates every person's fences on all their new fixes in recordedAt order, and writes the
 * states and events; then one Redis pipeline moves the latest positions. Each fix belongs to the first request
 * of the group that carried it (a later one counts it as a duplicate, as a retry would), and each crossing and
 * live position to the request of the fix that caused it. A group whose transaction fails is retried one
 * request at a time, so a request that cannot be stored fails alone.
 */
export async function ingestGroup(deps: IngestGroupDeps, group: readonly IngestRequest[]): Promise<Array<IngestOutcome | Error>> {
  let outcomes: IngestOutcome[];
  try {
    outcomes = await storeGroup(deps, group);
  } catch (err) {
    if (group.length === 1) return [err instanceof Error ? err : new Error(String(err))];
    const alone: Array<IngestOutcome | Error> = [];
    for (const request of group) alone.push(...(await ingestGroup(deps, [request])));
    return alone;
  }
  return moveLatest(deps, group, outcomes);
}

async function storeGroup(deps: IngestGroupDeps, group: readonly IngestRequest[]): Promise<IngestOutcome[]> {
  const owner = new Map<string, number>();
  const fixes: PersonPosition[] = [];
  group.forEach((request, i) => {
    for (const position of request.points) {
      const key = fixKey(request.personId, position.recordedAt);
      if (owner.has(key)) continue;
      owner.set(key, i);
      fixes.push({ personId: request.personId, position });
    }
  });
  const outcomes: IngestOutcome[] = group.map(() => ({ accepted: 0, crossings: [] }));
  let wroteOutbox = false;

  await deps.sql.$transaction(
    async (tx) => {
      const { inserted, claims } = await lockInsertAndClaim(tx, fixes, deps.livePositionIntervalMs);
      if (inserted.size === 0) return;
      // Every person's new fixes, oldest first (each request's points already are; a person in several
      // requests of the group is sorted once more below).
      const stored = new Map<string, Position[]>();
      for (const f of fixes) {
        const key = fixKey(f.personId, f.position.recordedAt);
        if (!inserted.has(key)) continue;
        (outcomes[owner.get(key) ?? 0] as IngestOutcome).accepted++;
        const list = stored.get(f.personId) ?? [];
        list.push(f.position);
        stored.set(f.personId, list);
      }
      for (const points of stored.values()) points.sort((a, b) => Date.parse(a.recordedAt) - Date.parse(b.recordedAt));
      const entries: OutboxEntry[] = [];
      const requestOf = (personId: string, recordedAt: string) => group[owner.get(fixKey(personId, recordedAt)) ?? 0] as IngestRequest;

      // Only each person's newest stored fix goes out live (the rest are in history and in the emergency's trail).
      for (const claim of claims) {
        const position = stored.get(claim.personId)?.find((p) => p.recordedAt === claim.recordedAt);
        if (position !== undefined) entries.push(livePositionEntry(claim, claim.personId, position, requestOf(claim.personId, claim.recordedAt).caller));
      }

      const fences = await activeFencesOf(tx, [...stored.keys()]);
      const states: PersonFenceState[] = [];
      for (const [personId, points] of stored) {
        const mine = fences.get(personId);
        if (mine === undefined) continue;
        const evaluation = evaluateCrossings(mine.fences, mine.states, points);
        for (const s of evaluation.states) states.push({ personId, ...s });
        for (const crossing of evaluation.crossings) {
          const i = owner.get(fixKey(personId, crossing.position.recordedAt)) ?? 0;
          (outcomes[i] as IngestOutcome).crossings.push(crossing);
          entries.push(crossingEvent(crossing, (group[i] as IngestRequest).caller));
        }
      }
      await saveStatesAndEvents(tx, states, entries, deps.now().toISOString());
      wroteOutbox = entries.length > 0;
    },
    { timeout: TRANSACTION_TIMEOUT_MS },
  );
  if (wroteOutbox) deps.outboxWritten();
  return outcomes;
}

/**
 * After the commit: each person's newest fix of the group (stored now or before: a retry after a Redis
 * failure moves it then) in one pipeline. A request whose person's move failed is 503, its fixes durable.
 */
async function moveLatest(deps: IngestGroupDeps, group: readonly IngestRequest[], outcomes: IngestOutcome[]): Promise<Array<IngestOutcome | Error>> {
  const newest = new Map<string, Position>();
  for (const { personId, points } of group) {
    const last = points[points.length - 1];
    const current = newest.get(personId);
    if (last !== undefined && (current === undefined || Date.parse(last.recordedAt) > Date.parse(current.recordedAt))) newest.set(personId, last);
  }
  const items = [...newest].map(([personId, position]) => ({ personId, position }));
  let results: Array<boolean | Error>;
  try {
    results = await deps.latest.offerMany(items);
  } catch (err) {
    results = items.map(() => (err instanceof Error ? err : new Error(String(err))));
  }
  const failed = new Map<string, Error>();
  items.forEach((item, i) => {
    const r = results[i];
    if (r instanceof Error) failed.set(item.personId, r);
  });
  return group.map((request, i) => {
    const err = failed.get(request.personId);
    if (err === undefined) return outcomes[i] as IngestOutcome;
    return serviceUnavailable('The positions are stored, but the latest position could not be updated; send the same request again.', {
      type: 'latest-unavailable',
      headers: { 'Retry-After': '1' },
      cause: err,
    });
  });
}
