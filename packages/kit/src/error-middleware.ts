import { STATUS_CODES } from 'node:http';
import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from './logger.ts';
import { HttpProblem, internalError, notFound, sendProblem } from './problem.ts';

export interface ValidationIssue {
  path: string;
  message: string;
}

interface ZodLikeError {
  name: string;
  issues: Array<{ path: PropertyKey[]; message: string }>;
}

/** Duck-typed so a ZodError from another copy of zod (e.g. a contracts package) maps the same way. */
function isZodError(err: unknown): err is ZodLikeError {
  return (
    typeof err === 'object' &&
    err !== null &&
    (err as { name?: unknown }).name === 'ZodError' &&
    Array.isArray((err as { issues?: unknown }).issues)
  );
}

export function validationProblem(issues: ZodLikeError['issues'], detail = 'The request is not valid.'): HttpProblem {
  const errors: ValidationIssue[] = issues.map((i) => ({ path: i.path.map(String).join('.'), message: i.message }));
  return new HttpProblem({
    status: 400,
    type: 'validation-error',
    title: 'Validation Error',
    detail,
    extra: { errors },
  });
}

/** body-parser tags its errors with `type`; each maps to what the client did wrong. */
function bodyParserProblem(err: { type?: unknown; status?: unknown; message?: unknown }): HttpProblem | undefined {
  switch (err.type) {
    case 'entity.parse.failed':
      return new HttpProblem({ status: 400, type: 'malformed-json', title: 'Malformed JSON', detail: 'The request body is not valid JSON.' });
    case 'entity.too.large':
      return new HttpProblem({ status: 413, type: 'payload-too-large', title: 'Payload Too Large', detail: 'The request body is larger than this endpoint accepts.' });
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new HttpProblem({ status: 415, type: 'unsupported-media-type', title: 'Unsupported Media Type', detail: String(err.message) });
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
      return new HttpProblem({ status: 400, type: 'bad-request', title: 'Bad Request', detail: 'The request body could not be read.' });
    default:
      return undefined;
  }
}

/** http-errors style errors (status + expose) that other middleware may raise. */
function exposedClientError(err: unknown): HttpProblem | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown };
  const status = typeof e.status === 'number' ? e.status : e.statusCode;
  if (typeof status !== 'number' || status < 400 || status > 499 || e.expose !== true) return undefined;
  return new HttpProblem({
    status,
    type: status === 404 ? 'not-found' : 'bad-request',
    title: STATUS_CODES[status] ?? 'Client Error',
    detail: String(e.message),
  });
}

export function toProblem(err: unknown): HttpProblem | undefined {
  if (err instanceof HttpProblem) return err;
  // The router's own decode of a path parameter; the storable-input guard normally answers first.
  if (err instanceof URIError) {
    return new HttpProblem({ status: 400, type: 'malformed-path', title: 'Malformed Path', detail: 'The path is not valid percent-encoded UTF-8.' });
  }
  if (isZodError(err)) return validationProblem(err.issues);
  if (typeof err === 'object' && err !== null) {
    const fromBody = bodyParserProblem(err);
    if (fromBody) return fromBody;
  }
  return exposedClientError(err);
}

/** The one place an error becomes a response. Unknown errors are logged with their stack and answered with no internals. */
export function errorMiddleware(logger: Logger): ErrorRequestHandler {
  return (err: unknown, req, res, next) => {
    if (res.headersSent) {
      // Too late for a problem document; let express abort the connection.
      logger.error({ err, method: req.method, url: req.originalUrl }, 'error after response started');
      next(err);
      return;
    }
    const problem = toProblem(err);
    if (problem) {
      if (problem.status >= 500) logger.error({ err, method: req.method, url: req.originalUrl }, problem.message);
      else logger.debug({ status: problem.status, type: problem.type, detail: problem.detail }, 'client error');
      sendProblem(req, res, problem);
      return;
    }
    logger.error({ err, method: req.method, url: req.originalUrl }, 'unhandled error');
    sendProblem(req, res, internalError('An unexpected error occurred.'));
  };
}

/** Terminal handler for routes nobody registered. */
export function notFoundHandler(): RequestHandler {
  return (req, res) => {
    sendProblem(req, res, notFound(`No route for ${req.method} ${req.path}.`, { type: 'route-not-found' }));
  };
}
