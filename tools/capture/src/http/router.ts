import type { Reply } from './reply.ts';

export type Method = 'GET' | 'POST' | 'DELETE';

export interface RouteRequest {
  params: Record<string, string>;
  query: URLSearchParams;
  /** The body parsed as JSON; throws a CaptureProblem when it is missing, too large or not JSON. */
  json(): Promise<unknown>;
}

export type RouteHandler = (req: RouteRequest) => Reply | Promise<Reply>;

export interface Route {
  method: Method;
  pattern: RegExp;
  handler: RouteHandler;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `/messages/:id`: a segment starting with ':' is a parameter (FCM's `messages:send` is not). */
export function route(method: Method, path: string, handler: RouteHandler): Route {
  const source = path
    .split('/')
    .map((segment) => (segment.startsWith(':') ? `(?<${segment.slice(1)}>[^/]+)` : escapeRegExp(segment)))
    .join('/');
  return { method, pattern: new RegExp(`^${source}$`), handler };
}

export type Resolution =
  | { kind: 'found'; handler: RouteHandler; params: Record<string, string> }
  | { kind: 'wrong-method'; allowed: Method[] }
  | { kind: 'not-found' };

export function resolve(routes: readonly Route[], method: string, path: string): Resolution {
  const allowed: Method[] = [];
  for (const r of routes) {
    const match = r.pattern.exec(path);
    if (!match) continue;
    if (r.method !== method) {
      allowed.push(r.method);
      continue;
    }
    const params: Record<string, string> = {};
    for (const [name, raw] of Object.entries(match.groups ?? {})) params[name] = decodeURIComponent(raw);
    return { kind: 'found', handler: r.handler, params };
  }
  return allowed.length > 0 ? { kind: 'wrong-method', allowed } : { kind: 'not-found' };
}
