import { validationProblem } from '@lifeline/kit';
import { recordedAtProblem, type Position } from '../domain/position.ts';

/**
 * The time window of recordedAt depends on the clock, so it is checked here rather than in the schema. One
 * rule for a batch with bad entries: the whole batch is refused (400) with every bad entry's index and reason,
 * and nothing is written; the device resends the good ones. Partial acceptance would leave it guessing which
 * of its buffered points are stored.
 */
export function assertRecordedWindow(positions: readonly Position[], now: Date, pathOf: (index: number) => PropertyKey[]): void {
  const issues = positions.flatMap((p, i) => {
    const message = recordedAtProblem(p.recordedAt, now);
    return message === undefined ? [] : [{ path: [...pathOf(i), 'recordedAt'], message }];
  });
  if (issues.length > 0) throw validationProblem(issues, positions.length > 1 ? 'Some positions are not acceptable; none was stored.' : 'The position is not acceptable.');
}
