import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { fromRoot } from './repo-root.ts';

const port = z.coerce.number().int().min(1).max(65535);
const stackEnvSchema = z.object({
  LIFELINE_PG_PORT: port,
  LIFELINE_PG_SUPERUSER: z.string().min(1),
  LIFELINE_PG_PASSWORD: z.string().min(1),
  LIFELINE_PG_DATABASE: z.string().min(1),
  LIFELINE_REDIS_PORT: port,
  LIFELINE_RABBITMQ_PORT: port,
  LIFELINE_RABBITMQ_MGMT_PORT: port,
  LIFELINE_KAFKA_PORT: port,
  LIFELINE_GATEWAY_PORT: port,
  /** The capture server (tools/capture): SMTP, and its HTTP API with the FCM-compatible push endpoint. */
  LIFELINE_SMTP_PORT: port,
  LIFELINE_CAPTURE_PORT: port,
});
export type StackEnv = z.infer<typeof stackEnvSchema>;

/** scripts/stack.env is the one place the local stack's ports live; shell and TypeScript both read it. */
export function loadStackEnv(file = fromRoot('scripts/stack.env')): StackEnv {
  const values: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const m = /^\s*([A-Z0-9_]+)=(.*)$/.exec(line);
    if (m?.[1] && m[2] !== undefined) values[m[1]] = m[2].trim();
  }
  return stackEnvSchema.parse(values);
}

export function adminDatabaseUrl(env: StackEnv = loadStackEnv()): string {
  const user = encodeURIComponent(env.LIFELINE_PG_SUPERUSER);
  const pass = encodeURIComponent(env.LIFELINE_PG_PASSWORD);
  return `postgres://${user}:${pass}@127.0.0.1:${env.LIFELINE_PG_PORT}/${env.LIFELINE_PG_DATABASE}`;
}
