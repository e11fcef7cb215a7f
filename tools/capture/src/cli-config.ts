import { parseArgs } from 'node:util';
import { z } from 'zod';

export interface CliConfig {
  host: string;
  smtpPort: number;
  httpPort: number;
}

export class CliConfigError extends Error {
  override name = 'CliConfigError';
}

export const USAGE = 'usage: capture [--host 127.0.0.1] [--smtp-port N] [--http-port N]  (or LIFELINE_SMTP_PORT / LIFELINE_CAPTURE_PORT)';

const port = (source: string) =>
  z.coerce
    .number({ error: `${source} must be a port number` })
    .int(`${source} must be a whole number`)
    .min(0, `${source} must be between 0 and 65535`)
    .max(65535, `${source} must be between 0 and 65535`);

function pick(flag: string | undefined, flagName: string, env: string | undefined, envName: string): [string, string] | undefined {
  if (flag !== undefined) return [flag, flagName];
  if (env !== undefined && env !== '') return [env, envName];
  return undefined;
}

/** Flags win over the environment; the ports have no default so they are never repeated outside scripts/stack.env. */
export function loadCliConfig(argv: string[], env: NodeJS.ProcessEnv): CliConfig {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { host: { type: 'string' }, 'smtp-port': { type: 'string' }, 'http-port': { type: 'string' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new CliConfigError(`${(err as Error).message}\n${USAGE}`);
  }
  const problems: string[] = [];
  const readPort = (chosen: [string, string] | undefined, what: string): number => {
    if (!chosen) {
      problems.push(`no ${what} port: set it with a flag or the environment`);
      return 0;
    }
    const [raw, source] = chosen;
    const result = port(source).safeParse(raw.trim() === '' ? Number.NaN : raw);
    if (!result.success) problems.push(`${result.error.issues[0]?.message ?? `${source} is not valid`} (got '${raw}')`);
    return result.success ? result.data : 0;
  };
  const smtpPort = readPort(pick(values['smtp-port'], '--smtp-port', env.LIFELINE_SMTP_PORT, 'LIFELINE_SMTP_PORT'), 'SMTP');
  const httpPort = readPort(pick(values['http-port'], '--http-port', env.LIFELINE_CAPTURE_PORT, 'LIFELINE_CAPTURE_PORT'), 'HTTP');
  const host = values.host ?? env.LIFELINE_CAPTURE_HOST ?? '127.0.0.1';
  if (host.trim() === '') problems.push('--host must not be empty');
  if (problems.length > 0) throw new CliConfigError(`${problems.join('; ')}\n${USAGE}`);
  return { host, smtpPort, httpPort };
}
