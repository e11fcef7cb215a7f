/**
 * The methods the gateway passes on. nginx itself refuses TRACE (405) and passes any other well-formed
 * method token (PROPFIND, FOO) to the app, which would answer it as an unknown route; the gateway refuses
 * those too, so every method outside the APIs' vocabulary gets the same 405 with an Allow header. Which
 * of these a given path accepts is the app's business (it answers its own 404/405). OPTIONS stays open
 * for CORS preflight.
 */
export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** Server-level: runs before any location, and again (harmlessly: nginx turns it into GET) for error pages. */
export function renderMethodGuard(): string {
  return `
    if ($request_method !~ ^(${ALLOWED_METHODS.join('|')})$) { return 405; }`;
}
