import type { Router } from 'express';
import { HttpProblem } from './problem.ts';

interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * Every route of a router (and of the routers mounted in it) as path -> methods, in registration order.
 * Express 5 keeps a mounted router's path in its layer's `rawPath`.
 */
export function routeTable(stack: readonly Layer[], prefix = ''): Map<string, Set<string>> {
  const table = new Map<string, Set<string>>();
  for (const layer of stack) {
    if (layer.route) {
      const path = prefix + layer.route.path;
      const methods = table.get(path) ?? new Set<string>();
      for (const [method, on] of Object.entries(layer.route.methods)) if (on && method !== '_all') methods.add(method.toUpperCase());
      table.set(path, methods);
    } else if (layer.handle?.stack) {
      const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
      for (const [path, methods] of routeTable(layer.handle.stack, prefix + mount)) {
        const known = table.get(path) ?? new Set<string>();
        for (const method of methods) known.add(method);
        table.set(path, known);
      }
    }
  }
  return table;
}

/**
 * Call last on a router of public routes: a request for one of its paths with a method the path does not
 * serve is 405 with Allow (RFC 9110 §15.5.6), not the 404 express would give, so a client learns the path
 * exists. OPTIONS is left to express, which answers it with Allow itself.
 */
export function answerUnknownMethods(router: Router): Router {
  for (const [path, methods] of routeTable((router as unknown as { stack: Layer[] }).stack)) {
    const allow = [...methods, ...(methods.has('GET') && !methods.has('HEAD') ? ['HEAD'] : [])].join(', ');
    router.all(path, (req, _res, next) => {
      if (req.method === 'OPTIONS') {
        next();
        return;
      }
      throw new HttpProblem({
        status: 405,
        type: 'method-not-allowed',
        title: 'Method Not Allowed',
        detail: `${req.method} is not served here; this path answers ${allow}.`,
        headers: { Allow: allow },
      });
    });
  }
  return router;
}
