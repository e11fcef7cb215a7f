import { randomBytes } from 'node:crypto';
import { signToken, type Role } from '@lifeline/kit';
import { appById, appDatabases, appDatabaseUrl, loadRunTemplate, resourcesFor, type AppDefinition, type Broker, type RunTemplate } from '@lifeline/platform';
import { startApp } from './app-process.ts';
import type { ManagedProcess } from './processes.ts';
import { startSidecar, type Tokens } from './sidecar.ts';
import { prepareStack } from './stack.ts';

/** Per-run secret, never the dev default from dapr.yaml. */
const JWT_SECRET = randomBytes(32).toString('hex');

/** Ports of replica n are those of dapr.yaml plus n times this: a step that lands on no other app or sidecar port (35xx + 100 would be a gRPC port), and stays below the ephemeral range. */
const REPLICA_PORT_STEP = 1000;

/** Which instance of an app: 0 is the one dapr.yaml describes, 1.. are extra replicas on shifted ports. */
export interface InstanceOptions {
  replica?: number;
}

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

  /** `database`: the apps' schemas in a database of their own (see prepareStack); the stack's own by default. */
  static async prepare(broker: Broker, database?: string): Promise<Platform> {
    const { adminUrl } = await prepareStack(broker, database);
    return new Platform(broker, loadRunTemplate(), adminUrl);
  }

  /** The app as dapr.yaml defines it, or a replica of it: same app id, database and consumer group, other ports. */
  app(appId: string, { replica = 0 }: InstanceOptions = {}): AppDefinition {
    const app = appById(this.template, appId);
    const shift = replica * REPLICA_PORT_STEP;
    return {
      ...app,
      appPort: app.appPort + shift,
      daprHttpPort: app.daprHttpPort + shift,
      daprGrpcPort: app.daprGrpcPort + shift,
      metricsPort: app.metricsPort + shift,
    };
  }

  private entry(appId: string, replica = 0): Running {
    const key = replica === 0 ? appId : `${appId}-${replica}`;
    let r = this.running.get(key);
    if (!r) this.running.set(key, (r = {}));
    return r;
  }

  async startApp(appId: string, instance: InstanceOptions = {}): Promise<void> {
    const db = appDatabases().find((d) => d.app === appId);
    const env: Record<string, string> = { JWT_SECRET, LOG_LEVEL: 'info' };
    if (db) env.DATABASE_URL = appDatabaseUrl(this.adminUrl, db);
    this.entry(appId, instance.replica).app = await startApp(this.app(appId, instance), this.template, this.tokens, env, instance.replica);
  }

  async startSidecar(appId: string, instance: InstanceOptions = {}): Promise<void> {
    const resources = resourcesFor(this.template, this.broker);
    this.entry(appId, instance.replica).sidecar = await startSidecar(this.app(appId, instance), this.template, resources, this.tokens, instance.replica);
  }

  /** App first, then its sidecar: daprd reads the app's subscriptions once, when it connects. */
  async start(appId: string, instance: InstanceOptions = {}): Promise<void> {
    await this.startApp(appId, instance);
    await this.startSidecar(appId, instance);
  }

  async stopSidecar(appId: string, instance: InstanceOptions = {}): Promise<void> {
    const r = this.entry(appId, instance.replica);
    await r.sidecar?.stop();
    r.sidecar = undefined;
  }

  /** Sidecar first, so nothing is delivered to an app that is going away. */
  async stop(appId: string, instance: InstanceOptions = {}): Promise<void> {
    const r = this.entry(appId, instance.replica);
    await r.sidecar?.stop();
    await r.app?.stop();
    r.sidecar = undefined;
    r.app = undefined;
  }

  async stopAll(): Promise<void> {
    for (const [, r] of [...this.running].reverse()) {
      await r.sidecar?.stop();
      await r.app?.stop();
    }
    this.running.clear();
  }

  appUrl(appId: string, path: string, instance: InstanceOptions = {}): string {
    return `http://127.0.0.1:${this.app(appId, instance).appPort}${path}`;
  }

  sidecarUrl(appId: string, path: string, instance: InstanceOptions = {}): string {
    return `http://127.0.0.1:${this.app(appId, instance).daprHttpPort}${path}`;
  }

  token(sub: string, roles: Role[], care: string[] = []): Promise<string> {
    return signToken(JWT_SECRET, { sub, roles, care });
  }
}
