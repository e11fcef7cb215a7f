import assert from 'node:assert/strict';
import { seriesStateSchema, taskStateSchema, type SeriesState, type TaskState } from '@lifeline/contracts';

/** The recurring tests' reading of answers, on top of the kit's call/expectProblem. */
export async function expectSeries(res: Response, status = 200): Promise<SeriesState> {
  const text = await res.text();
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${text}`);
  const series = seriesStateSchema.parse(JSON.parse(text));
  assert.equal(res.headers.get('etag'), `"${series.version}"`);
  return series;
}

export async function expectTask(res: Response, status = 200): Promise<TaskState> {
  const text = await res.text();
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${text}`);
  return taskStateSchema.parse(JSON.parse(text));
}
