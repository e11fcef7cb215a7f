import type { Request, RequestHandler } from 'express';
import { isStorableText, UNSTORABLE_TEXT_MESSAGE } from '@lifeline/contracts';
import { HttpProblem } from './problem.ts';
import type { ValidationIssue } from './error-middleware.ts';

/**
 * Refuses, before any route runs, a request whose path does not decode or whose path, query or JSON body
 * holds a string Postgres cannot store (NUL, an unpaired surrogate). Each route's own schema checks shape
 * and meaning; this is the one place that holds the character rule for every string of every route, so a
 * route that forgets it cannot turn such a string into a 500 half-way through a write.
 *
 * The sidecar's routes are exempt: a bad string there is a poison event, which the subscription's
 * contract parse turns into DROP (a 400 would make daprd redeliver it forever).
 */
export function storableInputGuard(isSidecarRoute: (path: string) => boolean): RequestHandler {
  return (req, _res, next) => {
    if (isSidecarRoute(req.path)) {
      next();
      return;
    }
    const problem = pathProblem(req) ?? contentProblem(req);
    if (problem) throw problem;
    next();
  };
}

function pathProblem(req: Request): HttpProblem | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(req.path);
  } catch {
    return malformedPath('The path is not valid percent-encoded UTF-8.');
  }
  if (!isStorableText(decoded)) return malformedPath(`The path ${UNSTORABLE_TEXT_MESSAGE}.`);
  return undefined;
}

function malformedPath(detail: string): HttpProblem {
  return new HttpProblem({ status: 400, type: 'malformed-path', title: 'Malformed Path', detail });
}

function contentProblem(req: Request): HttpProblem | undefined {
  const issues = [...unstorableStrings(req.query, 'query'), ...unstorableStrings(req.body as unknown, 'body')];
  if (issues.length === 0) return undefined;
  return new HttpProblem({
    status: 400,
    type: 'validation-error',
    title: 'Validation Error',
    detail: `Strings ${UNSTORABLE_TEXT_MESSAGE}.`,
    extra: { errors: issues },
  });
}

const MAX_REPORTED = 20;

/**
 * Every string (keys included) anywhere in a parsed JSON value or query object. Iterative, so a deeply
 * nested body cannot overflow the stack; stops after MAX_REPORTED findings.
 */
function unstorableStrings(root: unknown, rootName: string): ValidationIssue[] {
  const found: ValidationIssue[] = [];
  const pending: Array<[unknown, string]> = [[root, rootName]];
  for (let next = pending.pop(); next !== undefined && found.length < MAX_REPORTED; next = pending.pop()) {
    const [value, path] = next;
    if (typeof value === 'string') {
      if (!isStorableText(value)) found.push({ path, message: UNSTORABLE_TEXT_MESSAGE });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push([value[i], `${path}.${i}`]);
    } else if (typeof value === 'object' && value !== null) {
      for (const [key, child] of Object.entries(value)) {
        const childPath = `${path}.${isStorableText(key) ? key : JSON.stringify(key)}`;
        if (!isStorableText(key)) found.push({ path: childPath, message: `key ${UNSTORABLE_TEXT_MESSAGE}` });
        pending.push([child, childPath]);
      }
    }
  }
  return found;
}
