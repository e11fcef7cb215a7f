import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { fromRoot, repoRoot } from './repo-root.ts';

const port = z.number().int().min(1).max(65535);
const appSchema = z.object({
  appID: z.string().regex(/^[a-z][a-z0-9-]*$/),
  appDirPath: z.string(),
  appPort: port,
  daprHTTPPort: port,
  daprGRPCPort: port,
  metricsPort: port,
  command: z.array(z.string()).min(1),
  env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
const templateSchema = z.object({
  version: z.literal(1),
  common: z.object({
    resourcesPaths: z.array(z.string()).min(1),
    configFilePath: z.string(),
    env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  }),
  apps: z.array(appSchema).min(1),
});

export interface AppDefinition {
  appId: string;
  /** Absolute path of the app's folder (its working directory). */
  appDir: string;
  appPort: number;
  daprHttpPort: number;
  daprGrpcPort: number;
  metricsPort: number;
  command: string[];
  env: Record<string, string>;
}

export interface RunTemplate {
  file: string;
  /** Absolute component folders, common first, then the broker folder. */
  resourcesPaths: string[];
  configFile: string;
  commonEnv: Record<string, string>;
  apps: AppDefinition[];
}

function stringify(env: Record<string, string | number | boolean> | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(env ?? {}).map(([k, v]) => [k, String(v)]));
}

/** dapr.yaml is the single source of app ids and ports; everything else reads it through here. */
export function loadRunTemplate(file = fromRoot('dapr.yaml')): RunTemplate {
  const parsed = templateSchema.parse(parse(readFileSync(file, 'utf8')));
  const base = path.dirname(file);
  return {
    file,
    resourcesPaths: parsed.common.resourcesPaths.map((p) => path.resolve(base, p)),
    configFile: path.resolve(base, parsed.common.configFilePath),
    commonEnv: stringify(parsed.common.env),
    apps: parsed.apps.map((a) => ({
      appId: a.appID,
      appDir: path.resolve(base, a.appDirPath),
      appPort: a.appPort,
      daprHttpPort: a.daprHTTPPort,
      daprGrpcPort: a.daprGRPCPort,
      metricsPort: a.metricsPort,
      command: a.command,
      env: stringify(a.env),
    })),
  };
}

export const brokers = ['redis', 'kafka', 'rabbitmq'] as const;
export type Broker = (typeof brokers)[number];

export function componentsDir(broker: Broker | 'common'): string {
  return path.join(repoRoot, 'components/dapr', broker);
}

/** The template's resource paths with the broker folder swapped: choosing a broker is choosing a folder. */
export function resourcesFor(template: RunTemplate, broker: Broker): string[] {
  const brokerDirs = new Set(brokers.map(componentsDir));
  return [...template.resourcesPaths.filter((p) => !brokerDirs.has(p)), componentsDir(broker)];
}

export function appById(template: RunTemplate, appId: string): AppDefinition {
  const app = template.apps.find((a) => a.appId === appId);
  if (!app) throw new Error(`no app "${appId}" in ${template.file}`);
  return app;
}
