import type { RequestHandler } from 'express';
import { JSON_BODY_TYPES, unsupportedMediaType } from '@lifeline/kit';

/** A body the JSON parser skipped (text/plain, a form) is a 415, not a puzzling "expected object". */
export function requireJsonBody(): RequestHandler {
  return (req, _res, next) => {
    if (req.is(JSON_BODY_TYPES) === false) throw unsupportedMediaType('Send the body as application/json.');
    next();
  };
}
