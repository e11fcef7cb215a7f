import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { signToken, type Role, type SignOptions } from '@lifeline/kit';
import { appById, appDatabases, appDatabaseUrl, generateDevKey, loadRunTemplate, resourcesFor, type AppDefinition, type Broker, type DevKey, type RunTemplate } from '@lifeline/platform';
import { startApp } from './app-process.ts';
import type { ManagedProcess } from './processes.ts';
import { startSidecar, type Tokens } from './sidecar.ts';
import { prepareStack } from './stack.ts';

/** Per-run secret, never the dev default from dapr.yaml. */
const JWT_SECRET = randomBytes(32).toString('hex');
/** Per-run identity provider key: people's tokens are ES256 under it, as in the dev stack. */
const DEV_KEY: DevKey = generateDevKey();

/** The run's JWKS, served from this process on a loopback port the apps are told about. */
async function serveJwks(key: DevKey): Promise<string> {
  const body = JSON.stringify(key.jwks);
  const server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
}
let jwksUrl: Promise<string> | undefined;

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
    readonly jwksUrl: string,
  ) {}

  /** `database`: the apps' schemas in a database of their own (see prepareStack); the stack's own by default. */
  static async prepare(broker: Broker, database?: string): Promise<Platform> {
    const { adminUrl } = await prepareStack(broker, database);
    jwksUrl ??= serveJwks(DEV_KEY);
    return new Platform(broker, loadRunTemplate(), adminUrl, await jwksUrl);
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
    // Rate limits stay off unless a suite turns them on (gateway-limits.test.ts): the other suites send
    // far more than a person would, and dapr.yaml turns them on for the dev stack.
    const env: Record<string, string> = { JWT_SECRET, JWT_JWKS_URL: this.jwksUrl, TOKEN_REVOCATION: 'true', LOG_LEVEL: 'info', RATE_LIMIT_REDIS_URL: process.env.RATE_LIMIT_REDIS_URL ?? '' };
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

  /**
   * kill -9 of the app or its sidecar (the chaos suite): no grace period, nothing flushed, no goodbye to the
   * broker. Bring it back with startApp / startSidecar.
   */
  async kill(appId: string, part: 'app' | 'sidecar', instance: InstanceOptions = {}): Promise<void> {
    const r = this.entry(appId, instance.replica);
    const proc = r[part];
    if (!proc) throw new Error(`${appId}: no ${part} running to kill`);
    proc.child.kill('SIGKILL');
    await proc.exited;
    r[part] = undefined;
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

  token(sub: string, roles: Role[], care: string[] = [], opts: SignOptions = {}): Promise<string> {
    return signToken(DEV_KEY.signing, { sub, roles, care }, opts);
  }

  /** A token under the shared HS256 secret: a service's own (service: true), or a forged person's. */
  sharedSecretToken(sub: string, roles: Role[], service: boolean): Promise<string> {
    return signToken(JWT_SECRET, { sub, roles, service });
  }
}
