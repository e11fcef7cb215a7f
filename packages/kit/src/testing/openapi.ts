import assert from 'node:assert/strict';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { Express } from 'express';
import { routeTable } from '../method-not-allowed.ts';

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

/** Every route the app registered, as "METHOD /path/{param}" (OpenAPI's spelling), walking mounted routers. */
export function registeredRoutes(app: Express): string[] {
  const stack = (app as unknown as { router: { stack: Parameters<typeof routeTable>[0] } }).router.stack;
  return [...routeTable(stack)].flatMap(([path, methods]) => [...methods].map((method) => `${method} ${path.replaceAll(/:(\w+)/g, '{$1}')}`));
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
