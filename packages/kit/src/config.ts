import { z } from 'zod';
import { LOG_LEVELS } from './logger.ts';
import { rateLimitConfigShape } from './rate-limit/policy.ts';

/** Thrown by loadConfig; the message names every bad variable so one restart fixes them all. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

/** An integer env var; the message is written for the person editing the environment. */
export function envInt(min: number, max: number) {
  return z.string().transform((raw, ctx) => {
    const text = raw.trim();
    const n = Number(text);
    if (!/^-?\d+$/.test(text) || !Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: 'custom', message: `expected an integer ${min}-${max}` });
      return z.NEVER;
    }
    return n;
  });
}

/** true/false/1/0/yes/no, case-insensitive. */
export function envBool() {
  return z.string().transform((raw, ctx) => {
    const v = raw.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(v)) return true;
    if (['false', '0', 'no', 'off'].includes(v)) return false;
    ctx.addIssue({ code: 'custom', message: 'expected true or false' });
    return z.NEVER;
  });
}

const baseShape = {
  APP_ID: z.string().min(1),
  APP_PORT: envInt(1, 65535).default(3000),
  DAPR_HOST: z.string().min(1).default('127.0.0.1'),
  DAPR_HTTP_PORT: envInt(1, 65535).default(3500),
  DAPR_API_TOKEN: z.string().optional(),
  APP_API_TOKEN: z.string().optional(),
  PUBSUB_NAME: z.string().min(1).default('pubsub'),
  STATESTORE_NAME: z.string().min(1).default('statestore'),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters (HS256 key)'),
  JWT_ISSUER: z.string().min(1).default('lifeline'),
  JWT_AUDIENCE: z.string().min(1).default('lifeline-api'),
  /** The identity provider's key set (auth.ts): set, a person's token must be RS256/ES256 under one of its keys. */
  JWT_JWKS_URL: z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' }).optional(),
  /** Every token's jti is checked against the shared denylist (revocations.ts). */
  TOKEN_REVOCATION: envBool().default(false),
  REVOCATION_STORE_NAME: z.string().min(1).default('revocations'),
  LOG_LEVEL: z.enum(LOG_LEVELS, { error: `expected one of ${LOG_LEVELS.join(', ')}` }).default('info'),
  SHUTDOWN_TIMEOUT_MS: envInt(0, 600_000).default(10_000),
  /** A request (line, headers and body) not received within this is answered 408: a slow client cannot hold a connection. */
  REQUEST_TIMEOUT_MS: envInt(1_000, 600_000).default(30_000),
  ...rateLimitConfigShape,
};

export const baseConfigSchema = z.object(baseShape);
export type BaseConfig = z.output<typeof baseConfigSchema>;

/** Names whose value must never appear in an error message or a log line. */
const SECRET_NAME = /(SECRET|TOKEN|PASSWORD|PASSWD|PRIVATE|CREDENTIAL|API_KEY|_KEY$|^KEY$|DATABASE_URL|_DSN$)/i;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/**
 * Validates the shared variables plus the app's own (extraShape) and returns one typed object.
 * An empty string counts as unset: compose files and charts often render `FOO=` for "no value".
 */
export function loadConfig<S extends z.ZodRawShape = Record<never, never>>(
  extraShape?: S,
  env: Record<string, string | undefined> = process.env,
): BaseConfig & z.output<z.ZodObject<S>> {
  const schema = baseConfigSchema.extend(extraShape ?? {});
  const input: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') input[key] = value;
  }
  const result = schema.safeParse(input);
  if (result.success) return result.data as BaseConfig & z.output<z.ZodObject<S>>;

  const problems = result.error.issues.map((issue) => {
    if (issue.path.length === 0) return issue.message;
    const name = issue.path.map(String).join('.');
    const raw = input[String(issue.path[0])];
    if (raw === undefined) return `${name}: required`;
    const shown = isSecretName(name) ? '(value hidden)' : `got ${JSON.stringify(raw)}`;
    return `${name}: ${issue.message}, ${shown}`;
  });
  throw new ConfigError(problems);
}

/**
 * For main.ts: a bad environment stops the app with the message that lists every bad variable, not a stack
 * trace that would only bury it.
 */
export function configOrExit<C>(appName: string, load: () => C): C {
  try {
    return load();
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    process.stderr.write(`${appName}: ${err.message}\n`);
    process.exit(1);
  }
}
