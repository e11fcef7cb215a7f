import type { RequestHandler } from 'express';
import { z } from 'zod';
import { PROBLEM_TYPE_BASE } from './problem.ts';

/**
 * Building blocks of the apps' OpenAPI 3.1 documents. Every schema in a document is generated from the zod
 * schema the route validates with (OpenAPI 3.1 schemas are JSON Schema 2020-12, which zod emits), so the
 * published contract cannot drift from what the service accepts. Each app writes only its paths.
 */

export type JsonSchema = Record<string, unknown>;
/** Request schemas are documented as they are accepted (before transforms and defaults), responses as they are sent. */
export type SchemaIo = 'input' | 'output';

export const OPENAPI_VERSION = '3.1.0';

export function schemaRef(id: string): JsonSchema {
  return { $ref: `#/components/schemas/${id}` };
}

/** zod marks every generated schema as a standalone document; inside OpenAPI they are fragments. */
export function stripDocumentKeys(schema: JsonSchema): JsonSchema {
  const rest = { ...schema };
  delete rest.$schema;
  delete rest.$id;
  return rest;
}

/**
 * Where a request schema carries both, the pattern is the rule the route applies (zod checks its own regex,
 * not the format's RFC); a client validator's idea of "email" or "date-time" differs at the edges, so the
 * format would promise what the route does not check. Response formats stay: what we send meets both.
 */
function patternsOverFormats(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(patternsOverFormats);
  if (schema === null || typeof schema !== 'object') return schema;
  const entries = Object.entries(schema as JsonSchema).filter(([key]) => !(key === 'format' && 'pattern' in (schema as JsonSchema)));
  return Object.fromEntries(entries.map(([key, value]) => [key, patternsOverFormats(value)]));
}

const documented = (io: SchemaIo, schema: JsonSchema): JsonSchema => stripDocumentKeys(io === 'input' ? (patternsOverFormats(schema) as JsonSchema) : schema);

/** Several zod schemas as named component schemas that reference each other instead of repeating. */
export function componentSchemas(io: SchemaIo, schemas: Record<string, z.ZodType>): Record<string, JsonSchema> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(schemas)) registry.add(schema, { id });
  const { schemas: generated } = z.toJSONSchema(registry, {
    io,
    target: 'draft-2020-12',
    unrepresentable: 'any',
    uri: (id) => `#/components/schemas/${id}`,
  }) as { schemas: Record<string, JsonSchema> };
  // Schemas used by several components without a name of their own (recursive ones such as z.json()) land in
  // __shared's $defs; each becomes a component of its own, so every $ref is a plain component reference.
  const { __shared: shared, ...named } = generated;
  const defs = (shared?.$defs ?? {}) as Record<string, JsonSchema>;
  const prefix = `Shared_${io}_`;
  const all: Record<string, JsonSchema> = { ...named, ...Object.fromEntries(Object.entries(defs).map(([id, schema]) => [`${prefix}${id}`, schema])) };
  const text = JSON.stringify(all).replaceAll('#/components/schemas/__shared#/$defs/', `#/components/schemas/${prefix}`);
  return Object.fromEntries(Object.entries(JSON.parse(text) as Record<string, JsonSchema>).map(([id, schema]) => [id, documented(io, schema)]));
}

export function inlineSchema(schema: z.ZodType, io: SchemaIo = 'input'): JsonSchema {
  return documented(io, z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }));
}

/**
 * One parameter per key of a zod object shape (query or path), with the schema's description lifted to the
 * parameter. A key is required when its schema does not accept undefined; path parameters always are.
 */
export function shapeParameters(location: 'query' | 'path', shape: Record<string, z.ZodType>): JsonSchema[] {
  return Object.entries(shape).map(([name, schema]) => {
    const { description, ...rest } = inlineSchema(schema);
    const required = location === 'path' || !schema.safeParse(undefined).success;
    return { name, in: location, required, schema: rest, ...(description !== undefined ? { description } : {}) };
  });
}

export const queryParameters = (shape: Record<string, z.ZodType>): JsonSchema[] => shapeParameters('query', shape);
export const pathParameters = (shape: Record<string, z.ZodType>): JsonSchema[] => shapeParameters('path', shape);

/** A header parameter from the zod schema the route parses it with. */
export function headerParameter(name: string, schema: z.ZodType, opts: { required?: boolean; description?: string } = {}): JsonSchema {
  const { description, ...rest } = inlineSchema(schema);
  const text = opts.description ?? (description as string | undefined);
  return { name, in: 'header', required: opts.required ?? false, schema: rest, ...(text !== undefined ? { description: text } : {}) };
}

/**
 * RFC 9457 problem details as the kit renders them. Loose: extension members (errors, currentVersion, ...)
 * ride beside the standard ones.
 */
export const problemSchema = z
  .looseObject({
    type: z.string().describe(`A stable URI under ${PROBLEM_TYPE_BASE}, e.g. ${PROBLEM_TYPE_BASE}validation-error.`),
    title: z.string(),
    status: z.int().min(400).max(599),
    detail: z.string().optional(),
    instance: z.string().optional(),
    traceId: z.string().optional(),
    errors: z
      .array(z.looseObject({ path: z.string(), message: z.string() }))
      .optional()
      .describe('On validation-error: which inputs are wrong.'),
  })
  .describe('RFC 9457 problem details.');

export const PROBLEM_CONTENT = { 'application/problem+json': { schema: schemaRef('Problem') } };

export function problemResponse(description: string): JsonSchema {
  return { description, content: PROBLEM_CONTENT };
}

/** What every authenticated route may answer besides its own outcomes. */
export const COMMON_PROBLEMS = {
  400: 'Invalid input: parameters, headers or body (validation-error, malformed-json, bad-request).',
  401: 'Missing, expired or invalid bearer token.',
  403: 'The caller may not do this (role, or not the person or someone in their care).',
} as const;

/**
 * An app's problem statuses with what each means there; `pick(400, 404)` gives an operation the ones it can
 * answer, so every operation describes a status the same way.
 */
export function problemCatalog<const S extends Record<number, string>>(descriptions: S): (...statuses: Array<keyof S & number>) => Record<number, string> {
  return (...statuses) => Object.fromEntries(statuses.map((status) => [status, String(descriptions[status])]));
}

/**
 * What the edge answers on any operation before the route runs: the gateway's size limits (packages/platform's
 * gateway config), which no JSON Schema bound can rule out since they apply to the whole body, request line
 * or header block, and the rate limits (rate-limit/, the kit's middleware in front of every route). Listed
 * on every operation, so a client and the fuzzer know them.
 */
export const GATEWAY_PROBLEMS = {
  413: 'The body is larger than the gateway accepts (payload-too-large); nothing reached the service.',
  414: 'The path and query are longer than the gateway accepts (uri-too-long); nothing reached the service.',
  429: 'Over the caller\'s rate limit (too-many-requests): Retry-After, RateLimit and RateLimit-Policy say when to come back; nothing was done.',
  431: 'A header, or all of them together, is longer than the gateway accepts (request-header-fields-too-large).',
} as const;

/**
 * The responses of one operation: its successes, then one problem+json response per status with the
 * app's description of that status (`problems` maps status -> description), then the gateway's own.
 */
export function responses(success: Record<string, JsonSchema>, problems: Readonly<Record<number, string>>): JsonSchema {
  const all: Record<string, JsonSchema> = { ...success };
  for (const [status, description] of Object.entries({ ...GATEWAY_PROBLEMS, ...problems })) all[status] = problemResponse(description);
  return all;
}

/**
 * If-Match and If-None-Match as preconditions.ts reads them: "*" or a list of entity tags. Documentation only:
 * the routes parse these headers with parseIfMatch / noneMatchHits, which also give the 400 and 412 answers.
 */
export const entityTagListSchema = z
  .string()
  .max(200)
  .regex(/^(?:\*|(?:W\/)?"[\x21\x23-\x7e]*"(?:[ \t]*,[ \t]*(?:W\/)?"[\x21\x23-\x7e]*"){0,19})[ \t]*$/)
  .describe('An ETag you read, e.g. "3", a comma-separated list of them, or *.');

/** The ETag response header of a versioned resource: its version as a strong entity tag. */
export function entityTagHeader(description: string): JsonSchema {
  return { description, schema: { type: 'string', pattern: '^"[1-9]\\d*"$' } };
}

export const JSON_CONTENT = (schema: JsonSchema) => ({ 'application/json': { schema } });

export interface OpenApiDocumentOptions {
  title: string;
  description: string;
  version?: string;
  /** The path of the document itself, served without a token (e.g. /tasks/openapi.json). */
  documentPath: string;
  paths: Record<string, JsonSchema>;
  /** Named response schemas (as sent) and request schemas (as accepted). */
  schemas: { output?: Record<string, z.ZodType>; input?: Record<string, z.ZodType> };
  /** Who may call: roles and claims, in a sentence. */
  securityDescription: string;
}

/**
 * The document's frame: bearer security on every operation, the gateway as the server (paths start with the
 * app's own name, as the gateway passes them), the Problem schema, and the document's own path.
 */
export function openApiDocument(opts: OpenApiDocumentOptions): JsonSchema {
  return {
    openapi: OPENAPI_VERSION,
    info: { title: opts.title, version: opts.version ?? '1.0.0', description: opts.description },
    // Relative to where the document was fetched from: through the gateway, /api/v1/<app>/openapi.json.
    servers: [{ url: '/api/v1', description: 'The gateway' }],
    security: [{ bearerAuth: [] }],
    paths: {
      ...opts.paths,
      [opts.documentPath]: {
        get: {
          summary: 'This document',
          operationId: 'getOpenApi',
          security: [],
          responses: { 200: { description: 'OpenAPI 3.1 document.', content: JSON_CONTENT({ type: 'object' }) } },
        },
      },
    },
    components: {
      schemas: {
        ...componentSchemas('output', { ...opts.schemas.output, Problem: problemSchema }),
        ...(opts.schemas.input ? componentSchemas('input', opts.schemas.input) : {}),
      },
      securitySchemes: {
        bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: opts.securityDescription },
      },
    },
  };
}

/** Serves a document built once at start: it depends only on the schemas. No token: the contract is public. */
export function serveOpenApi(document: JsonSchema): RequestHandler {
  return (_req, res) => {
    res.json(document);
  };
}
