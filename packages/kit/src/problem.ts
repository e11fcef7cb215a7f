import type { Request, Response } from 'express';
import { currentContext } from './context.ts';

/** Problem types are URIs so clients can switch on them; the slug is the part we choose. */
export const PROBLEM_TYPE_BASE = 'https://lifeline.dev/problems/';

export function problemType(slug: string): string {
  return PROBLEM_TYPE_BASE + slug;
}

export interface ProblemDocument {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  [member: string]: unknown;
}

export interface HttpProblemInit {
  status: number;
  /** Slug appended to PROBLEM_TYPE_BASE, e.g. "validation-error". */
  type: string;
  title: string;
  detail?: string | undefined;
  /** Extension members (RFC 9457 §3.2), e.g. { errors: [...] } or { currentVersion: 3 }. */
  extra?: Record<string, unknown> | undefined;
  headers?: Record<string, string> | undefined;
  cause?: unknown;
}

/** The one error type routes throw for an expected failure; the error middleware renders it. */
export class HttpProblem extends Error {
  readonly status: number;
  readonly type: string;
  readonly title: string;
  readonly detail: string | undefined;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(init: HttpProblemInit) {
    super(init.detail ?? init.title, init.cause !== undefined ? { cause: init.cause } : undefined);
    this.name = 'HttpProblem';
    this.status = init.status;
    this.type = init.type;
    this.title = init.title;
    this.detail = init.detail;
    this.extra = init.extra ?? {};
    this.headers = init.headers ?? {};
  }

  get typeUri(): string {
    return problemType(this.type);
  }

  toDocument(instance?: string): ProblemDocument {
    const traceId = currentContext()?.traceId;
    return {
      // Extension members first so they can never overwrite the standard ones.
      ...this.extra,
      type: this.typeUri,
      title: this.title,
      status: this.status,
      ...(this.detail !== undefined ? { detail: this.detail } : {}),
      ...(instance !== undefined ? { instance } : {}),
      ...(traceId !== undefined ? { traceId } : {}),
    };
  }
}

export function isHttpProblem(err: unknown): err is HttpProblem {
  return err instanceof HttpProblem;
}

export interface ProblemOptions {
  /** Overrides the helper's default slug, e.g. conflict('...', { type: 'version-conflict' }). */
  type?: string;
  extra?: Record<string, unknown>;
  headers?: Record<string, string>;
  cause?: unknown;
}

function helper(status: number, defaultType: string, title: string) {
  return (detail?: string, opts: ProblemOptions = {}): HttpProblem =>
    new HttpProblem({
      status,
      type: opts.type ?? defaultType,
      title,
      detail,
      extra: opts.extra,
      headers: opts.headers,
      cause: opts.cause,
    });
}

export const badRequest = helper(400, 'bad-request', 'Bad Request');
export const unauthorized = helper(401, 'unauthorized', 'Unauthorized');
export const forbidden = helper(403, 'forbidden', 'Forbidden');
export const notFound = helper(404, 'not-found', 'Not Found');
export const conflict = helper(409, 'conflict', 'Conflict');
export const preconditionFailed = helper(412, 'precondition-failed', 'Precondition Failed');
export const payloadTooLarge = helper(413, 'payload-too-large', 'Payload Too Large');
export const unsupportedMediaType = helper(415, 'unsupported-media-type', 'Unsupported Media Type');
export const unprocessable = helper(422, 'unprocessable', 'Unprocessable Content');
export const serviceUnavailable = helper(503, 'service-unavailable', 'Service Unavailable');
export const internalError = helper(500, 'internal', 'Internal Server Error');

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** Writes a problem as the response; used by the error middleware and by middleware that answer early. */
export function sendProblem(req: Request, res: Response, problem: HttpProblem): void {
  for (const [name, value] of Object.entries(problem.headers)) res.setHeader(name, value);
  res
    .status(problem.status)
    .type(PROBLEM_CONTENT_TYPE)
    .send(JSON.stringify(problem.toDocument(req.originalUrl)));
}
