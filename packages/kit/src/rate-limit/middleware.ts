import type net from 'node:net';
import type { Request, RequestHandler, Response } from 'express';
import { APP_TOKEN_HEADER, tokensEqual } from '../app-token.ts';
import type { AuthContext } from '../auth.ts';
import { HttpProblem, sendProblem } from '../problem.ts';
import { clientAddress } from './client-address.ts';
import { rateLimitHeader, rateLimitPolicyHeader } from './headers.ts';
import type { RateLimitDecision, RateLimits } from './limiter.ts';
import type { RateLimitGroup } from './policy.ts';

/**
 * The response header that names the verified caller, for the gateway's access log: nginx cannot judge a
 * token, the app can. The gateway logs it and strips it (proxy_hide_header), so a client never sees it.
 */
export const USER_ID_HEADER = 'X-Lifeline-User';

/** The raise that may join an open emergency; its limit is applied by the route, after the dedup. */
const DEFERRED: Readonly<Record<string, RateLimitGroup>> = { 'POST /emergencies': 'emergency' };
/** One request counts once, however many positions a batch carries. */
const LOCATION_ROUTES = new Set(['POST /location/positions', 'POST /location/positions/batch']);

interface Caller {
  /** Whose budget: `user:<sub>` for a verified token, `addr:<ip>` otherwise. */
  key: string;
  tokenless: boolean;
  limits: RateLimits;
}

const callers = new WeakMap<Request, Caller>();

function decisionHeaders(d: RateLimitDecision): Record<string, string> {
  const headers: Record<string, string> = { 'RateLimit-Policy': rateLimitPolicyHeader(d.group, d.policy) };
  if (d.remaining !== undefined && d.resetSeconds !== undefined) headers.RateLimit = rateLimitHeader(d.group, d.remaining, d.resetSeconds);
  if (!d.allowed && d.resetSeconds !== undefined) headers['Retry-After'] = String(d.resetSeconds);
  return headers;
}

function tooManyRequests(d: RateLimitDecision): HttpProblem {
  const window = d.policy.windowSeconds === 1 ? 'second' : `${d.policy.windowSeconds} s`;
  return new HttpProblem({
    status: 429,
    type: 'too-many-requests',
    title: 'Too Many Requests',
    detail: `The ${d.group} limit is ${d.policy.points} requests per ${window}; retry in ${d.resetSeconds ?? 1} s.`,
    headers: decisionHeaders(d),
  });
}

async function decide(limits: RateLimits, res: Response, group: RateLimitGroup, key: string): Promise<HttpProblem | undefined> {
  const decision = await limits.consume(group, key);
  if (!decision.allowed) return tooManyRequests(decision);
  for (const [name, value] of Object.entries(decisionHeaders(decision))) res.setHeader(name, value);
  return undefined;
}

function bearerToken(req: Request): string | undefined {
  const m = /^Bearer[ \t]+([A-Za-z0-9\-._~+/]+=*)[ \t]*$/i.exec(req.get('authorization') ?? '');
  return m?.[1];
}

export interface CallerMiddlewareOptions {
  /** The app's token check (createAuth(config).verify): only a verified `sub` spends a person's budget. */
  verify: (token: string) => Promise<AuthContext>;
  /** Undefined: limits off; the caller is still named for the access log. */
  limits: RateLimits | undefined;
  proxies: net.BlockList;
  appApiToken: string | undefined;
  /** Paths that are not the public API (sidecar routes, /dapr, /internal, probes). */
  isInternal: (req: Request) => boolean;
}

/**
 * Names the caller and spends their budget before any route runs. A token that does not verify is
 * not an identity: the request counts against its client address, in the token-less group, and the
 * route answers its 401 as before. A service's own token (svc) and the sidecar (app API token) are
 * never limited: they act for many people at once.
 */
export function callerMiddleware(opts: CallerMiddlewareOptions): RequestHandler {
  return async (req, res, next) => {
    if (opts.isInternal(req)) return next();
    const sidecar = req.get(APP_TOKEN_HEADER);
    if (opts.appApiToken && sidecar !== undefined && tokensEqual(sidecar, opts.appApiToken)) return next();
    const token = bearerToken(req);
    let auth: AuthContext | undefined;
    if (token !== undefined) auth = await opts.verify(token).catch(() => undefined);
    if (auth) res.setHeader(USER_ID_HEADER, auth.userId);
    if (!opts.limits || auth?.service) return next();

    const { limits } = opts;
    const caller: Caller = auth
      ? { key: `user:${auth.userId}`, tokenless: false, limits }
      : { key: `addr:${clientAddress(req, opts.proxies)}`, tokenless: true, limits };
    callers.set(req, caller);
    const route = `${req.method} ${req.path.replace(/\/+$/, '') || '/'}`;
    if (!caller.tokenless && DEFERRED[route] !== undefined) return next();
    const group: RateLimitGroup = caller.tokenless ? 'tokenless' : LOCATION_ROUTES.has(route) ? 'location' : 'default';
    const refused = await decide(limits, res, group, caller.key);
    if (refused) return sendProblem(req, res, refused);
    next();
  };
}

/** Whether limitRequest would count this request (limits on, a person's verified token). */
export function isRateLimited(req: Request): boolean {
  return callers.has(req);
}

/**
 * Spends the caller's budget of a group whose limit a route applies itself, after what must never be
 * refused (the emergency raise: joining an open emergency is answered before the limit is asked).
 * Throws the 429; with limits off, or for a caller the middleware did not limit, does nothing.
 */
export async function limitRequest(req: Request, res: Response, group: RateLimitGroup): Promise<void> {
  const caller = callers.get(req);
  if (!caller) return;
  const refused = await decide(caller.limits, res, group, caller.key);
  if (refused) throw refused;
}
