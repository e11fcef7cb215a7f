/**
 * The real audit app (apps/audit/src/main.ts, its own process) against one drill cluster: rows go in through
 * its bulk event route and the hash chain is checked by its own GET /audit/verify.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { randomUUID } from 'node:crypto';
import { makeEvent, type TaskState } from '@lifeline/contracts';
import { signToken } from '@lifeline/kit';
import { REPO_ROOT, freePort } from './throwaway-cluster.ts';

const JWT_SECRET = 'backup-drill-secret-that-is-at-least-32-characters';
const APP_API_TOKEN = 'backup-drill-app-token';

export interface VerifyReport {
  ok: boolean;
  checked: number;
  chains: number;
  firstBroken: unknown;
}

export interface AuditProcess {
  url: string;
  /** Records `count` task.created events, `perRequest` to a bulk delivery (as daprd would bring them). */
  record(count: number, perRequest?: number): Promise<void>;
  verify(): Promise<VerifyReport>;
  stop(): Promise<void>;
}

function taskCreated(): unknown {
  const id = randomUUID();
  const now = new Date().toISOString();
  const task: TaskState = {
    id, ownerId: 'person-1', title: 'Take medication', notes: null, priority: 'high', tags: ['health'],
    dueAt: now, remindAt: null, timezone: 'Europe/Berlin', status: 'open', completedAt: null, recurrence: null,
    version: 1, createdAt: now, updatedAt: now, createdBy: 'caregiver-1',
  };
  const event = makeEvent('task.created', {
    source: 'tasks',
    subject: id,
    actor: { id: 'caregiver-1', kind: 'user' },
    data: { after: task },
    time: now,
  });
  // The CloudEvents envelope daprd delivers.
  return { specversion: '1.0', id: randomUUID(), source: 'tasks', type: event.type, datacontenttype: 'application/json', topic: 'task-events', pubsubname: 'pubsub', data: event };
}

export async function startAuditProcess(databaseUrl: string, schema: string): Promise<AuditProcess> {
  const port = await freePort(26500, 26999);
  const child: ChildProcess = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: `${REPO_ROOT}apps/audit`,
    env: {
      PATH: process.env.PATH,
      APP_ID: 'audit',
      APP_PORT: String(port),
      DATABASE_URL: databaseUrl,
      DB_SCHEMA: schema,
      JWT_SECRET,
      APP_API_TOKEN,
      // No sidecar here: nothing in recording or verifying calls one.
      DAPR_HTTP_PORT: '1',
      LOG_LEVEL: 'error',
      SHUTDOWN_TIMEOUT_MS: '2000',
    },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`audit app exited with ${child.exitCode} before listening`);
    try {
      if ((await fetch(`${url}/health/live`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error('audit app not listening after 30s');
    await new Promise((r) => setTimeout(r, 200));
  }

  return {
    url,
    async record(count, perRequest = 100) {
      for (let sent = 0; sent < count; sent += perRequest) {
        const entries = Array.from({ length: Math.min(perRequest, count - sent) }, () => ({
          entryId: randomUUID(), event: taskCreated(), contentType: 'application/cloudevents+json', metadata: {},
        }));
        const body = { id: randomUUID(), type: 'com.dapr.event.sent.bulk', topic: 'task-events', pubsubname: 'pubsub', metadata: { pubsubName: 'pubsub' }, entries };
        const res = await fetch(`${url}/events/task-events`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'dapr-api-token': APP_API_TOKEN },
          body: JSON.stringify(body),
        });
        const text = await res.text();
        if (res.status !== 200) throw new Error(`bulk delivery answered ${res.status}: ${text}`);
        const statuses = (JSON.parse(text) as { statuses: Array<{ status: string }> }).statuses;
        const failed = statuses.filter((s) => s.status !== 'SUCCESS');
        if (failed.length > 0 || statuses.length !== entries.length) throw new Error(`bulk delivery: ${failed.length} of ${entries.length} not stored: ${text.slice(0, 500)}`);
      }
    },
    async verify() {
      const token = await signToken(JWT_SECRET, { sub: 'officer-1', roles: ['compliance'] });
      const res = await fetch(`${url}/audit/verify`, { headers: { authorization: `Bearer ${token}` } });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`verify answered ${res.status}: ${text}`);
      return JSON.parse(text) as VerifyReport;
    },
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      await once(child, 'exit');
    },
  };
}
