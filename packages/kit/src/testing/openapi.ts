import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Express } from 'express';

/**
 * Fails unless the document is valid against the official OpenAPI 3.1 schema (with the JSON Schema 2020-12
 * dialect its component schemas use) and every $ref in it resolves.
 */
export async function assertValidOpenApi31(document: Record<string, unknown>): Promise<void> {
  assert.equal(document.openapi, '3.1.0');
  const validator = new Validator();
  const { valid, errors } = await validator.validate(structuredClone(document));
  assert.ok(valid, `not a valid OpenAPI 3.1 document: ${JSON.stringify(errors, null, 2)}`);
  // The validator checks the shape; a dangling #/components/... reference would only surface in a client.
  const refs = JSON.stringify(document).match(/"\$ref":"#\/[^"]+"/g) ?? [];
  for (const ref of new Set(refs)) {
    const pointer = ref.slice('"$ref":"#/'.length, -1).split('/');
    let node: unknown = document;
    for (const part of pointer) node = (node as Record<string, unknown> | undefined)?.[part.replaceAll('~1', '/').replaceAll('~0', '~')];
    assert.ok(node !== undefined, `${ref} does not resolve`);
  }
}

interface Layer {
  rawPath?: unknown;
  route?: { path: string; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
}

/**
 * Every route the app registered, as "METHOD /path/{param}" (OpenAPI's spelling), walking mounted routers.
 * Express 5 keeps a layer's mount path in `rawPath`.
 */
export function registeredRoutes(app: Express): string[] {
  const routes: string[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') routes.push(`${method.toUpperCase()} ${(prefix + layer.route.path).replaceAll(/:(\w+)/g, '{$1}')}`);
        }
      } else if (layer.handle?.stack) {
        const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
        walk(layer.handle.stack, prefix + mount);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, '');
  return routes;
}

/** Every operation of the document as "METHOD /path". */
export function documentedOperations(document: { paths: Record<string, Record<string, unknown>> }): string[] {
  return Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
}

/**
 * Checks values against the document's component schemas as a client's JSON Schema 2020-12 validator would
 * (formats are the server's business; patterns, enums and bounds are checked).
 */
export function componentValidator(document: { components: Record<string, unknown> }): (name: string, value: unknown) => { ok: boolean; errors: unknown } {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addFormat('date-time', true).addFormat('uuid', true).addFormat('email', true);
  ajv.addSchema({ $id: 'openapi', components: document.components });
  return (name, value) => {
    const check = ajv.getSchema(`openapi#/components/schemas/${name}`);
    assert.ok(check, `no schema ${name}`);
    return { ok: check(value) === true, errors: check.errors ?? null };
  };
}
