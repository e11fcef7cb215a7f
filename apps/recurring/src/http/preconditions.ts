import type { Request, RequestHandler } from 'express';
import { JSON_BODY_TYPES, badRequest, unsupportedMediaType, validationProblem } from '@lifeline/kit';

/**
 * The version a write is based on, from If-Match (`"<version>"`, our strong ETag) or a body `version`;
 * undefined when the client sent neither (or `*`): the write then applies to whatever is current.
 */
export function expectedVersion(req: Request, bodyVersion?: number): number | undefined {
  const header = req.get('if-match')?.trim();
  let fromHeader: number | undefined;
  if (header !== undefined && header !== '*') {
    const m = /^"([1-9]\d{0,9})"$/.exec(header);
    if (!m) throw badRequest('If-Match must be the ETag you read, e.g. "3", or *.', { type: 'invalid-if-match' });
    fromHeader = Number(m[1]);
  }
  if (fromHeader !== undefined && bodyVersion !== undefined && fromHeader !== bodyVersion) {
    throw validationProblem([{ path: ['version'], message: 'disagrees with If-Match' }], 'The body version and If-Match name different versions.');
  }
  return fromHeader ?? bodyVersion;
}

/** A body the JSON parser skipped (text/plain, a form) would otherwise surface as a puzzling "expected object". */
export function requireJsonBody(): RequestHandler {
  return (req, _res, next) => {
    if (req.is(JSON_BODY_TYPES) === false) throw unsupportedMediaType('Send the body as application/json.');
    next();
  };
}
