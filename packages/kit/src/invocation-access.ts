import type { RequestHandler } from 'express';
import { tokensEqual, APP_TOKEN_HEADER } from './app-token.ts';
import type { Logger } from './logger.ts';
import { HttpProblem, sendProblem } from './problem.ts';

/** daprd stamps the calling app's id on every service invocation; a calling app cannot set it (daprd overwrites it). */
export const CALLER_APP_ID_HEADER = 'dapr-caller-app-id';

export interface InvocationGrant {
  caller: string;
  /** HTTP methods and path prefixes (on the callee) the caller may invoke. */
  methods: readonly string[];
  paths: readonly string[];
}

/**
 * Which app may invoke which, and nothing else: the calls the design needs (emergency asks location for a
 * trail, distances and live tracking; recurring creates and cancels task instances). The chart's Dapr
 * Configuration carries the same list as accessControl (a test holds them equal). There, daprd enforces it
 * on mTLS (SPIFFE) identities; a self-hosted daprd without Sentry has no caller identity and applies the
 * default action to every call (dapr pkg/acl), which cannot tell emergency from tasks. So each app also
 * enforces it on the caller id its own sidecar passes on, which works in every mode.
 */
export const INVOCATION_GRANTS: Readonly<Record<string, readonly InvocationGrant[]>> = {
  location: [{ caller: 'emergency', methods: ['GET', 'POST'], paths: ['/internal/people/', '/location/people/'] }],
  tasks: [{ caller: 'recurring', methods: ['POST', 'PATCH'], paths: ['/tasks'] }],
};

export function invocationAllowed(callee: string, caller: string, method: string, path: string): boolean {
  if (caller === callee) return true;
  const under = (prefix: string) => {
    const base = prefix.replace(/\/$/, '');
    return path === base || path.startsWith(`${base}/`);
  };
  return (INVOCATION_GRANTS[callee] ?? []).some((g) => g.caller === caller && g.methods.includes(method.toUpperCase()) && g.paths.some(under));
}

function denied(detail: string): HttpProblem {
  return new HttpProblem({ status: 403, type: 'invocation-denied', title: 'Forbidden', detail });
}

/**
 * Refuses a service invocation whose caller is not granted this method and path. A request without the
 * caller header is not an invocation (a client through the gateway) and passes on to the routes' own
 * auth. One with it must also carry this app's API token, i.e. come from this app's sidecar: a client
 * writing the header itself gets 403 rather than being taken for an app.
 */
export function invocationAccess(opts: { appId: string; appApiToken: string | undefined; logger: Logger }): RequestHandler {
  return (req, res, next) => {
    const caller = req.get(CALLER_APP_ID_HEADER);
    if (caller === undefined) {
      next();
      return;
    }
    const token = req.get(APP_TOKEN_HEADER);
    if (opts.appApiToken && (token === undefined || !tokensEqual(token, opts.appApiToken))) {
      opts.logger.warn({ path: req.path, caller }, 'refused a request naming a calling app without the sidecar\'s app token');
      sendProblem(req, res, denied('Only this app\'s sidecar may name a calling app.'));
      return;
    }
    if (!invocationAllowed(opts.appId, caller, req.method, req.path)) {
      opts.logger.warn({ caller, method: req.method, path: req.path }, 'refused a service invocation no grant allows');
      sendProblem(req, res, denied(`The app ${caller} may not invoke ${req.method} ${req.path} on ${opts.appId}.`));
      return;
    }
    next();
  };
}
