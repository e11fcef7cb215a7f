import type { Express } from 'express';
import type { BaseConfig } from './config.ts';
import type { Lifecycle } from './lifecycle.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';

/** What the kit remembers about an app it created; lets finalize/mount/startServer find it without globals. */
export interface KitAppState {
  config: Pick<BaseConfig, 'APP_API_TOKEN' | 'SHUTDOWN_TIMEOUT_MS'> & Partial<Pick<BaseConfig, 'REQUEST_TIMEOUT_MS'>>;
  logger: Logger;
  metrics: Metrics;
  lifecycle: Lifecycle;
  finalized: boolean;
  /** Paths only the sidecar calls (topic and binding routes); filled by Subscriptions.mount. */
  sidecarRoutes: Set<string>;
  /** Closed after the server (the rate limits' Redis connection). */
  onClose?: () => Promise<void>;
}

const states = new WeakMap<Express, KitAppState>();

export function setKitState(app: Express, state: KitAppState): void {
  states.set(app, state);
}

export function kitState(app: Express): KitAppState | undefined {
  return states.get(app);
}
