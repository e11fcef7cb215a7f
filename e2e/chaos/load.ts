import { setTimeout as sleep } from 'node:timers/promises';

/** One task create of the load: who, when its answer came, and whether it was a 201. */
export interface Create {
  owner: string;
  taskId?: string;
  status: number;
  answeredAt: number;
}

/**
 * Open loop: request i is sent at start + i/rate whatever the earlier answers did, so a dead app shows up
 * as failed requests, not as a lower offered load. Bounded: rate x seconds requests, at most maxInFlight
 * at once (a request beyond that counts as failed, status 0), each with a timeout.
 */
export async function openLoop(opts: { rate: number; seconds: number; maxInFlight?: number; fire: (i: number) => Promise<Create> }): Promise<Create[]> {
  const total = Math.round(opts.rate * opts.seconds);
  const maxInFlight = opts.maxInFlight ?? 200;
  const started = performance.now();
  const pending: Promise<Create>[] = [];
  let inFlight = 0;
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / opts.rate - performance.now();
    if (wait > 1) await sleep(wait);
    if (inFlight >= maxInFlight) {
      pending.push(Promise.resolve({ owner: '', status: 0, answeredAt: Date.now() }));
      continue;
    }
    inFlight++;
    pending.push(opts.fire(i).finally(() => inFlight--));
  }
  return Promise.all(pending);
}

/** POST /tasks as `owner`, with a reminder due two seconds later (inside the run's window). */
export async function createTask(url: string, owner: string, token: string): Promise<Create> {
  const now = Date.now();
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ title: `chaos ${owner}`, dueAt: new Date(now + 3600_000).toISOString(), remindAt: new Date(now + 2000).toISOString() }),
      signal: AbortSignal.timeout(10_000),
    });
    const body = (await res.json().catch(() => ({}))) as { id?: string };
    return { owner, status: res.status, answeredAt: Date.now(), ...(res.status === 201 && body.id ? { taskId: body.id } : {}) };
  } catch {
    return { owner, status: 0, answeredAt: Date.now() };
  }
}
