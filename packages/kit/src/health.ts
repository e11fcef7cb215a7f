import { Router } from 'express';
import type { Logger } from './logger.ts';
import type { Lifecycle } from './lifecycle.ts';
import { HttpProblem, sendProblem } from './problem.ts';

export interface ReadinessCheck {
  /** Named in the 503 answer, e.g. "sidecar" or "database". */
  name: string;
  /** Resolve (or return true) when healthy; reject or return false when not. The signal fires on timeout. */
  check: (signal: AbortSignal) => Promise<unknown>;
  timeoutMs?: number;
}

export interface CheckResult {
  name: string;
  ok: boolean;
  reason?: 'timeout' | 'error' | 'false';
  durationMs: number;
}

export const DEFAULT_CHECK_TIMEOUT_MS = 2000;

async function runCheck(c: ReadinessCheck, defaultTimeoutMs: number, logger: Logger): Promise<CheckResult> {
  const timeoutMs = c.timeoutMs ?? defaultTimeoutMs;
  const controller = new AbortController();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error(`readiness check ${c.name} timed out after ${timeoutMs}ms`));
      resolve('timeout');
    }, timeoutMs);
  });
  try {
    // A check that ignores its signal still cannot hold the probe past its timeout.
    const outcome = await Promise.race([c.check(controller.signal).then((v) => (v === false ? 'false' : 'ok')), timeout]);
    const durationMs = Math.round(performance.now() - started);
    if (outcome === 'ok') return { name: c.name, ok: true, durationMs };
    logger.warn({ check: c.name, reason: outcome, durationMs }, 'readiness check failed');
    return { name: c.name, ok: false, reason: outcome, durationMs };
  } catch (err) {
    const durationMs = Math.round(performance.now() - started);
    logger.warn({ check: c.name, err, durationMs }, 'readiness check failed');
    return { name: c.name, ok: false, reason: 'error', durationMs };
  } finally {
    clearTimeout(timer);
  }
}

export async function evaluateReadiness(
  checks: readonly ReadinessCheck[],
  logger: Logger,
  defaultTimeoutMs = DEFAULT_CHECK_TIMEOUT_MS,
): Promise<CheckResult[]> {
  return Promise.all(checks.map((c) => runCheck(c, defaultTimeoutMs, logger)));
}

/** /health/live answers while the process runs; /health/ready only when every check passes and we are not draining. */
export function healthRouter(opts: {
  checks: readonly ReadinessCheck[];
  lifecycle: Lifecycle;
  logger: Logger;
  defaultTimeoutMs?: number;
}): Router {
  const router = Router();
  router.get('/health/live', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/health/ready', async (req, res) => {
    if (opts.lifecycle.shuttingDown) {
      sendProblem(req, res, new HttpProblem({ status: 503, type: 'not-ready', title: 'Not Ready', detail: 'The service is shutting down.' }));
      return;
    }
    const results = await evaluateReadiness(opts.checks, opts.logger, opts.defaultTimeoutMs);
    const failing = results.filter((r) => !r.ok);
    if (failing.length === 0) {
      res.json({ status: 'ok', checks: results });
      return;
    }
    sendProblem(
      req,
      res,
      new HttpProblem({
        status: 503,
        type: 'not-ready',
        title: 'Not Ready',
        detail: `Failing readiness checks: ${failing.map((f) => `${f.name} (${f.reason})`).join(', ')}.`,
        extra: { checks: results },
      }),
    );
  });
  return router;
}
