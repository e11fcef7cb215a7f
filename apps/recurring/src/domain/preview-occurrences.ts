import { DateTime } from 'luxon';
import type { AuthContext } from '@lifeline/kit';
import { occurrencesOf } from '@lifeline/recurrence';
import { LIVE_STATES, instancesBetween, type InstanceState } from '../data/instance-repository.ts';
import type { RecurringDeps } from './recurring-deps.ts';
import { readableSeries } from './series-access.ts';

export interface Occurrence {
  /** The instant, in UTC. */
  dueAt: string;
  /** The same instant as wall-clock time in the series' zone, with its offset (shows DST at work). */
  localDueAt: string;
  /** The instance that covers this occurrence, if one was made. */
  instance: { taskId: string | null; state: InstanceState } | null;
}

export interface OccurrencePage {
  items: Occurrence[];
  /** More occurrences lie in the range than `limit`. */
  truncated: boolean;
}

/** The rule's occurrences in [from, to) beside the instances already made for them. Reads only; writes nothing. */
export async function previewOccurrences(
  deps: Pick<RecurringDeps, 'prisma' | 'evaluator'>,
  caller: AuthContext,
  id: string,
  range: { from: Date; to: Date; limit: number },
): Promise<OccurrencePage> {
  const series = await readableSeries(deps.prisma, caller, id);
  const instants = await occurrencesOf(deps.evaluator, series.recurrence, range.from, range.to, range.limit + 1);
  const live = new Map(
    (await instancesBetween(deps.prisma, id, range.from, range.to))
      .filter((row) => LIVE_STATES.includes(row.state))
      .map((row) => [row.dueAt.getTime(), { taskId: row.taskId, state: row.state }] as const),
  );
  const items = instants.slice(0, range.limit).map((instant) => ({
    dueAt: instant.toISOString(),
    localDueAt: DateTime.fromJSDate(instant, { zone: series.timezone }).toISO({ suppressMilliseconds: true }) ?? instant.toISOString(),
    instance: live.get(instant.getTime()) ?? null,
  }));
  return { items, truncated: instants.length > range.limit };
}
