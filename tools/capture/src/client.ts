import { setTimeout as sleep } from 'node:timers/promises';
import type {
  CaptureHealth,
  CapturedMessage,
  CapturedPush,
  MessageFilter,
  PushFault,
  PushFaultInput,
  PushFilter,
  SmtpFault,
  SmtpFaultInput,
} from './types.ts';

/** A non-2xx answer of the capture API; `body` is its problem+json document. */
export class CaptureApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    what: string,
  ) {
    super(`capture server: ${what} answered HTTP ${status}: ${JSON.stringify(body)}`);
    this.name = 'CaptureApiError';
  }
}

const POLL_INTERVAL_MS = 25;
const DEFAULT_WAIT_MS = 5000;

function toQuery(filter: Record<string, string | Date | undefined>): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filter)) {
    if (value !== undefined) params.set(name, value instanceof Date ? value.toISOString() : value);
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** Typed access to the capture server's HTTP API, for tests, e2e suites and benchmarks. */
export class CaptureClient {
  readonly baseUrl: string;

  /** @param baseUrl the HTTP API, e.g. `http://127.0.0.1:28025` */
  constructor(baseUrl: string) {
    this.baseUrl = new URL(baseUrl).toString().replace(/\/+$/, '');
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(this.baseUrl + path, {
      method,
      ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
    });
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) throw new CaptureApiError(res.status, parsed, `${method} ${path}`);
    return parsed as T;
  }

  health(): Promise<CaptureHealth> {
    return this.#call('GET', '/health');
  }

  async messages(filter: MessageFilter = {}): Promise<CapturedMessage[]> {
    const { messages } = await this.#call<{ messages: CapturedMessage[] }>('GET', `/messages${toQuery({ ...filter })}`);
    return messages;
  }

  message(id: string): Promise<CapturedMessage> {
    return this.#call('GET', `/messages/${encodeURIComponent(id)}`);
  }

  /** Resolves with every matching message once there are at least `count`; rejects after `timeoutMs`. */
  waitForMessages(filter: MessageFilter, count: number, timeoutMs = DEFAULT_WAIT_MS): Promise<CapturedMessage[]> {
    return this.#waitFor('message', () => this.messages(filter), filter, count, timeoutMs);
  }

  async clearMessages(): Promise<void> {
    await this.#call('DELETE', '/messages');
  }

  failSmtp(fault: SmtpFaultInput): Promise<SmtpFault> {
    return this.#call('POST', '/smtp/faults', fault);
  }

  async smtpFaults(): Promise<SmtpFault[]> {
    return (await this.#call<{ faults: SmtpFault[] }>('GET', '/smtp/faults')).faults;
  }

  async clearSmtpFaults(): Promise<void> {
    await this.#call('DELETE', '/smtp/faults');
  }

  async pushes(filter: PushFilter = {}): Promise<CapturedPush[]> {
    const { pushes } = await this.#call<{ pushes: CapturedPush[] }>('GET', `/push/messages${toQuery({ ...filter })}`);
    return pushes;
  }

  /** Resolves with every matching push once there are at least `count`; rejects after `timeoutMs`. */
  waitForPushes(filter: PushFilter, count: number, timeoutMs = DEFAULT_WAIT_MS): Promise<CapturedPush[]> {
    return this.#waitFor('push', () => this.pushes(filter), filter, count, timeoutMs);
  }

  async clearPushes(): Promise<void> {
    await this.#call('DELETE', '/push/messages');
  }

  /** From now on FCM sends to this token answer 404 UNREGISTERED (until reset). */
  async unregisterToken(token: string): Promise<void> {
    await this.#call('POST', '/push/unregistered', { token });
  }

  failPush(fault: PushFaultInput): Promise<PushFault> {
    return this.#call('POST', '/push/faults', fault);
  }

  async pushFaults(): Promise<PushFault[]> {
    return (await this.#call<{ faults: PushFault[] }>('GET', '/push/faults')).faults;
  }

  async clearPushFaults(): Promise<void> {
    await this.#call('DELETE', '/push/faults');
  }

  /** Forgets every message, push, fault and unregistered token. */
  async reset(): Promise<void> {
    await this.#call('DELETE', '/reset');
  }

  async #waitFor<T>(what: string, read: () => Promise<T[]>, filter: object, count: number, timeoutMs: number): Promise<T[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = await read();
      if (found.length >= count) return found;
      if (Date.now() >= deadline) {
        throw new Error(`capture server: waited ${timeoutMs} ms for ${count} ${what}(s) matching ${JSON.stringify(filter)}, found ${found.length}`);
      }
      await sleep(POLL_INTERVAL_MS);
    }
  }
}
