import { randomBytes } from 'node:crypto';
import { signToken, type Role } from '@lifeline/kit';
import { appById, appDatabases, appDatabaseUrl, loadRunTemplate, resourcesFor, type AppDefinition, type Broker, type RunTemplate } from '@lifeline/platform';
import { startApp } from './app-process.ts';
import type { ManagedProcess } from './processes.ts';
import { startSidecar, type Tokens } from './sidecar.ts';
import { prepareStack } from './stack.ts';

/** Per-run secret, never the dev default from dapr.yaml. */
const JWT_SECRET = randomBytes(32).toString('hex');

interface Running {
  app?: ManagedProcess;
  sidecar?: ManagedProcess;
}

/**
 * The system under test: the real stack for one broker, and each app with its real daprd, started and
 * stopped independently so a suite can take a sidecar away mid-test.
 */
export class Platform {
  readonly tokens: Tokens = { daprApiToken: randomBytes(16).toString('hex'), appApiToken: randomBytes(16).toString('hex') };
  private readonly running = new Map<string, Running>();

  private constructor(
    readonly broker: Broker,
    readonly template: RunTemplate,
    readonly adminUrl: string,
  ) {}

  static async prepare(broker: Broker): Promise<Platform> {
    const { adminUrl } = await prepareStack(broker);
    return new Platform(broker, loadRunTemplate(), adminUrl);
  }

  app(appId: string): AppDefinition {
    return appById(this.template, appId);
  }

  private entry(appId: string): Running {
    let r = this.running.get(appId);
    if (!r) this.running.set(appId, (r = {}));
    return r;
  }

  async startApp(appId: string): Promise<void> {
    const db = appDatabases().find((d) => d.app === appId);
    const env: Record<string, string> = { JWT_SECRET, LOG_LEVEL: 'info' };
    if (db) env.DATABASE_URL = appDatabaseUrl(this.adminUrl, db);
    this.entry(appId).app = await startApp(this.app(appId), this.template, this.tokens, env);
  }

  async startSidecar(appId: string): Promise<void> {
    const resources = resourcesFor(this.template, this.broker);
    this.entry(appId).sidecar = await startSidecar(this.app(appId), this.template, resources, this.tokens);
  }

  /** App first, then its sidecar: daprd reads the app's subscriptions once, when it connects. */
  async start(appId: string): Promise<void> {
    await this.startApp(appId);
    await this.startSidecar(appId);
  }

  async stopSidecar(appId: string): Promise<void> {
    await this.running.get(appId)?.sidecar?.stop();
    this.entry(appId).sidecar = undefined;
  }

  async stopAll(): Promise<void> {
    for (const [, r] of [...this.running].reverse()) {
      await r.sidecar?.stop();
      await r.app?.stop();
    }
    this.running.clear();
  }

  appUrl(appId: string, path: string): string {
    return `http://127.0.0.1:${this.app(appId).appPort}${path}`;
  }

  sidecarUrl(appId: string, path: string): string {
    return `http://127.0.0.1:${this.app(appId).daprHttpPort}${path}`;
  }

  token(sub: string, roles: Role[], care: string[] = []): Promise<string> {
    return signToken(JWT_SECRET, { sub, roles, care });
  }
}
