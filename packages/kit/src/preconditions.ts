import type { Request } from 'express';
import { validationProblem } from './error-middleware.ts';
import { entityTagListSchema } from './openapi.ts';
import { HttpProblem, badRequest, preconditionFailed } from './problem.ts';

/**
 * Optimistic concurrency on a versioned resource whose strong ETag is its version in quotes ("3").
 * What the client says it last saw: If-Match (or a body `version`); `any` is If-Match: *.
 */
export type VersionCondition = { kind: 'any' } | { kind: 'one-of'; versions: readonly number[] };

// entity-tag = [ "W/" ] DQUOTE *etagc DQUOTE (RFC 9110 §8.8.3), in a comma-separated list.
const ENTITY_TAG = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/;
const VERSION = /^[1-9]\d{0,9}$/;
const MAX_TAGS = 20;

export function entityTag(version: number): string {
  return `"${version}"`;
}

function invalidIfMatch(detail: string): HttpProblem {
  return badRequest(`${detail} Send If-Match: "<version>" with the ETag you read.`, { type: 'invalid-if-match' });
}

/**
 * Reads If-Match. Our ETags are strong and carry the version; a weak or foreign tag is well-formed but can
 * never match (If-Match compares strongly), so it leads to 412 rather than 400.
 */
export function parseIfMatch(header: string | undefined): VersionCondition | undefined {
  if (header === undefined) return undefined;
  if (!entityTagListSchema.safeParse(header.trim()).success) throw invalidIfMatch('If-Match must be * or 1-20 entity tags, at most 200 characters.');
  const text = header.trim();
  if (text === '*') return { kind: 'any' };
  const items = text.split(',').map((t) => t.trim());
  if (text === '' || items.length > MAX_TAGS) throw invalidIfMatch(`If-Match must hold 1-${MAX_TAGS} entity tags.`);
  const versions: number[] = [];
  for (const item of items) {
    const m = ENTITY_TAG.exec(item);
    if (!m) throw invalidIfMatch(`If-Match "${item.slice(0, 50)}" is not an entity tag.`);
    const [, weak, opaque = ''] = m;
    if (weak === undefined && VERSION.test(opaque)) versions.push(Number(opaque));
  }
  return { kind: 'one-of', versions };
}

/**
 * Does If-None-Match name the current ETag? (weak comparison, RFC 9110 §13.1.2) A malformed header is a 400
 * like a malformed If-Match: answering 304 to what the document calls invalid would let a broken client
 * believe its copy is current.
 */
export function noneMatchHits(header: string | undefined, version: number): boolean {
  if (header === undefined) return false;
  if (!entityTagListSchema.safeParse(header.trim()).success) {
    throw badRequest('If-None-Match must be * or 1-20 entity tags, at most 200 characters, e.g. "3".', { type: 'invalid-if-none-match' });
  }
  if (header.trim() === '*') return true;
  return header.split(',').some((item) => ENTITY_TAG.exec(item.trim())?.[2] === String(version));
}

/**
 * The condition of a write whose version is optional: undefined (or `any`) applies it to whatever is current.
 * If-Match and a body `version` are two ways to say one thing: when both are sent they must agree.
 */
export function optionalVersion(req: Request, bodyVersion?: number): VersionCondition | undefined {
  const header = parseIfMatch(req.get('if-match'));
  if (header?.kind === 'one-of' && bodyVersion !== undefined && !header.versions.includes(bodyVersion)) {
    throw validationProblem([{ path: ['version'], message: 'disagrees with If-Match' }], 'The body version and If-Match name different versions.');
  }
  if (header?.kind === 'one-of' || bodyVersion === undefined) return header;
  return { kind: 'one-of', versions: [bodyVersion] };
}

/**
 * The condition of a write that must say which version it is based on, through If-Match or `version` in the
 * body: without it a client would silently overwrite changes it never saw (428, RFC 6585). `*` names no
 * version, so it does not count.
 */
export function requiredVersion(req: Request, bodyVersion: number | undefined): VersionCondition {
  const condition = optionalVersion(req, bodyVersion);
  if (condition?.kind === 'one-of') return condition;
  throw new HttpProblem({
    status: 428,
    type: 'precondition-required',
    title: 'Precondition Required',
    detail:
      condition?.kind === 'any'
        ? 'If-Match: * does not protect against lost updates; send If-Match: "<version>" with the ETag you read.'
        : 'Send If-Match: "<version>" (the ETag you read) or "version" in the body, so a change made meanwhile is not overwritten.',
  });
}

/**
 * A write based on another version than the stored one is refused (412 version-conflict with the current
 * ETag), never merged. `kind` names the resource in the detail: "Task", "Series".
 */
export function requireVersion(kind: string, current: { id: string; version: number }, condition: VersionCondition | undefined): void {
  if (condition === undefined || condition.kind === 'any' || condition.versions.includes(current.version)) return;
  const sent = condition.versions.length > 0 ? `version ${condition.versions.join(' or ')}` : 'no version this service issued';
  throw preconditionFailed(`${kind} ${current.id} is at version ${current.version}, but the request was based on ${sent}. Read it again and reapply the change.`, {
    type: 'version-conflict',
    extra: { currentVersion: current.version },
    headers: { ETag: entityTag(current.version) },
  });
}
