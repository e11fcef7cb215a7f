import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import type { Logger } from './logger.ts';
import { HttpProblem, sendProblem } from './problem.ts';

export const APP_TOKEN_HEADER = 'dapr-api-token';

/** Hashing first gives equal-length buffers, so neither content nor length leaks through timing. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/**
 * Guards the routes only the sidecar calls (/dapr/*, topic and binding routes).
 * Without a configured token every call passes (local development) and we say so once.
 */
export function appTokenCheck(opts: { token: string | undefined; logger: Logger }): RequestHandler {
  const { token, logger } = opts;
  let warned = false;
  return (req, res, next) => {
    if (!token) {
      if (!warned) {
        warned = true;
        logger.warn('APP_API_TOKEN is not set: sidecar calls into this app are not authenticated');
      }
      next();
      return;
    }
    const given = req.get(APP_TOKEN_HEADER);
    if (given !== undefined && tokensEqual(given, token)) {
      next();
      return;
    }
    logger.warn({ path: req.path, tokenPresent: given !== undefined }, 'rejected sidecar call with a missing or wrong app API token');
    sendProblem(
      req,
      res,
      new HttpProblem({
        status: 401,
        type: 'invalid-app-token',
        title: 'Unauthorized',
        detail: `The ${APP_TOKEN_HEADER} header is missing or wrong.`,
      }),
    );
  };
}
