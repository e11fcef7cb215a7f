import type { RequestHandler } from 'express';
import { JSON_BODY_TYPES } from './create-app.ts';
import { unsupportedMediaType } from './problem.ts';

/**
 * For routes that take a JSON body: the parser skips a body of another type (text/plain, a form), which
 * would otherwise surface as a puzzling "expected object" instead of the 415 it is.
 */
export function requireJsonBody(): RequestHandler {
  return (req, _res, next) => {
    if (req.is(JSON_BODY_TYPES) === false) throw unsupportedMediaType('Send the body as application/json.');
    next();
  };
}
