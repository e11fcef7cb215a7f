import type { Platform } from '../harness/index.ts';

/** The faults of the matrix, in the brief's order. Each kills one real process with SIGKILL under load. */
export const faultNames = ['audit-sidecar', 'audit-app', 'tasks-app'] as const;
export type FaultName = (typeof faultNames)[number];

interface Fault {
  appId: string;
  part: 'app' | 'sidecar';
  what: string;
}

const faults: Record<FaultName, Fault> = {
  // A consumer's daprd: the messages it had taken from the broker but not acknowledged die with it.
  'audit-sidecar': { appId: 'audit', part: 'sidecar', what: "kill -9 of audit's daprd, then a new one" },
  // The consumer mid-handler: under 20 creates/s some deliveries are between the audit INSERT and the 200.
  'audit-app': { appId: 'audit', part: 'app', what: 'kill -9 of the audit app, then a new one' },
  // The producer: requests whose task and outbox row committed but whose outbox row the relay had not yet
  // published; the relay of the new process must publish them.
  'tasks-app': { appId: 'tasks', part: 'app', what: 'kill -9 of the tasks app, then a new one' },
};

export function describeFault(name: FaultName): string {
  return faults[name].what;
}

export function isFault(name: string): name is FaultName {
  return (faultNames as readonly string[]).includes(name);
}

/** Kills the process; `down` runs while it is gone (e.g. to look at the outbox), then it is started again. */
export async function injectFault(platform: Platform, name: FaultName, downMs: number, down: () => Promise<void> = async () => {}): Promise<{ killedAt: number; restartedAt: number }> {
  const { appId, part } = faults[name];
  await platform.kill(appId, part);
  const killedAt = Date.now();
  await down();
  const rest = killedAt + downMs - Date.now();
  if (rest > 0) await new Promise((r) => setTimeout(r, rest));
  if (part === 'app') await platform.startApp(appId);
  else await platform.startSidecar(appId);
  return { killedAt, restartedAt: Date.now() };
}
