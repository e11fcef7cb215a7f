import { z } from 'zod';
import { taskStateSchema, type TaskState } from '@lifeline/contracts';
import { signToken, type AuthSettings, type DaprClient } from '@lifeline/kit';

/** The POST /tasks body of an instance: a plain task (no recurrence) made from the series template. */
export const instanceTaskBodySchema = z.strictObject({
  ownerId: taskStateSchema.shape.ownerId,
  title: taskStateSchema.shape.title,
  notes: taskStateSchema.shape.notes,
  priority: taskStateSchema.shape.priority,
  tags: taskStateSchema.shape.tags,
  dueAt: z.iso.datetime(),
  remindAt: z.iso.datetime().nullable(),
  timezone: taskStateSchema.shape.timezone,
});
export type InstanceTaskBody = z.infer<typeof instanceTaskBodySchema>;

/** What became of a cancel request. */
export type CancelOutcome =
  | 'cancelled'
  /** The task is no longer at the version we created: the user changed it, so it is left alone. */
  | 'changed'
  /** The task no longer exists. */
  | 'gone';

/** The tasks app answered something a retry cannot fix (our request is wrong): a bug or a misconfiguration. */
export class TasksRefusedError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'TasksRefusedError';
  }
}

/** The tasks app (or the way to it) is not answering properly right now; the caller retries later. */
export class TasksUnavailableError extends Error {
  constructor(
    message: string,
    readonly status: number | undefined,
  ) {
    super(message);
    this.name = 'TasksUnavailableError';
  }
}

export interface TasksClientOptions {
  dapr: Pick<DaprClient, 'invoke'>;
  appId: string;
  /** The shared JWT settings: the tasks app verifies the service token like any user's. */
  jwt: AuthSettings;
  tokenTtlSeconds: number;
  /** The `sub` of the service token; the tasks app records it as createdBy and scopes Idempotency-Keys by it. */
  serviceId: string;
}

function detailOf(body: unknown): string {
  if (typeof body === 'object' && body !== null && typeof (body as { detail?: unknown }).detail === 'string') {
    return (body as { detail: string }).detail;
  }
  return typeof body === 'string' ? body.slice(0, 300) : '';
}

function failure(what: string, status: number, body: unknown): Error {
  const message = `${what}: tasks app answered ${status}${detailOf(body) ? ` (${detailOf(body)})` : ''}`;
  // 408/429 and 5xx (including daprd's own 500 when the target is unreachable) pass; other 4xx are ours to fix.
  return status === 408 || status === 429 || status >= 500 ? new TasksUnavailableError(message, status) : new TasksRefusedError(message, status);
}

/**
 * Calls the tasks app through the sidecar (service invocation) with a short-lived service token. The token
 * is a caregiver token whose care claim names only the instance's owner: enough to create and cancel that
 * person's tasks and nothing else, with no special rule in the tasks app.
 */
export class TasksClient {
  readonly #opts: TasksClientOptions;

  constructor(opts: TasksClientOptions) {
    this.#opts = opts;
  }

  async #authorization(ownerId: string): Promise<string> {
    const { jwt, tokenTtlSeconds, serviceId } = this.#opts;
    const token = await signToken(
      jwt.JWT_SECRET,
      { sub: serviceId, roles: ['caregiver'], care: [ownerId], service: true },
      { issuer: jwt.JWT_ISSUER, audience: jwt.JWT_AUDIENCE, expiresInSeconds: tokenTtlSeconds },
    );
    return `Bearer ${token}`;
  }

  async #invoke(method: string, httpMethod: string, ownerId: string, body: unknown, headers: Record<string, string>) {
    try {
      return await this.#opts.dapr.invoke<unknown>(this.#opts.appId, method, {
        httpMethod,
        body,
        headers: { ...headers, authorization: await this.#authorization(ownerId) },
      });
    } catch (err) {
      throw new TasksUnavailableError(`${httpMethod} ${method}: the sidecar could not be reached: ${(err as Error).message}`, undefined);
    }
  }

  /**
   * Creates the instance task. The same key with the same body answers the task made the first time (the
   * tasks app remembers keys for a day), so a retry after a lost answer never makes a second task.
   */
  async create(idempotencyKey: string, body: InstanceTaskBody): Promise<TaskState> {
    const res = await this.#invoke('tasks', 'POST', body.ownerId, body, { 'Idempotency-Key': idempotencyKey });
    if (res.status !== 201) throw failure('create instance task', res.status, res.body);
    const task = taskStateSchema.safeParse(res.body);
    if (!task.success) throw new TasksUnavailableError('create instance task: the answer is not a task', res.status);
    return task.data;
  }

  /** Cancels the task only if it is still at `version`, the one this app created or last saw. */
  async cancel(ownerId: string, taskId: string, version: number): Promise<CancelOutcome> {
    const res = await this.#invoke(`tasks/${taskId}`, 'PATCH', ownerId, { status: 'cancelled' }, { 'If-Match': `"${version}"` });
    if (res.status === 200) return 'cancelled';
    if (res.status === 412) return 'changed';
    if (res.status === 404) return 'gone';
    throw failure(`cancel task ${taskId}`, res.status, res.body);
  }
}
