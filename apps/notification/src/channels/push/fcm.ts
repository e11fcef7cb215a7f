/** What one FCM HTTP v1 `messages:send` call is about: one device token, one notification. */
export interface PushMessage {
  token: string;
  title: string;
  body: string;
  data: Record<string, string>;
  urgent: boolean;
}

export type PushResult =
  | { kind: 'sent'; name: string }
  /** The provider does not know the token (uninstalled app, expired or malformed token): remove it. */
  | { kind: 'bad-token'; error: string }
  /** retryAfterMs: the provider's Retry-After, when it sent one. */
  | { kind: 'transient'; error: string; retryAfterMs?: number }
  | { kind: 'failed'; error: string };

/** The request body of POST /v1/projects/<project>/messages:send. */
export function fcmRequest(m: PushMessage): unknown {
  return {
    message: {
      token: m.token,
      notification: { title: m.title, body: m.body },
      data: m.data,
      android: { priority: m.urgent ? 'high' : 'normal' },
      apns: { headers: { 'apns-priority': m.urgent ? '10' : '5' } },
    },
  };
}

export function fcmPath(project: string): string {
  return `/v1/projects/${project}/messages:send`;
}

interface FcmErrorBody {
  error?: {
    code?: unknown;
    message?: unknown;
    status?: unknown;
    details?: Array<{ '@type'?: unknown; errorCode?: unknown; fieldViolations?: Array<{ field?: unknown }> }>;
  };
}

function parse(body: unknown): FcmErrorBody {
  if (typeof body === 'string') {
    try {
      return JSON.parse(body) as FcmErrorBody;
    } catch {
      return {};
    }
  }
  return typeof body === 'object' && body !== null ? body : {};
}

/**
 * Reads FCM's answer. 404 / UNREGISTERED, and 400 INVALID_ARGUMENT that names the token (a field violation
 * on message.token), mean the token will never work: bad-token. 429 and 5xx are transient (FCM asks for a
 * retry with backoff, honouring Retry-After). Any other 4xx (auth, sender mismatch, a message FCM refuses) will not heal by retrying.
 */
export function interpretFcmResponse(status: number, body: unknown, retryAfter?: string | null): PushResult {
  const parsed = parse(body);
  if (status >= 200 && status < 300) {
    const name: unknown = (parsed as { name?: unknown }).name;
    return { kind: 'sent', name: typeof name === 'string' ? name : 'unknown' };
  }
  const err = parsed.error ?? {};
  const codes = (err.details ?? []).map((d) => d.errorCode).filter((c): c is string => typeof c === 'string');
  const tokenField = (err.details ?? []).some((d) => (d.fieldViolations ?? []).some((v) => v.field === 'message.token'));
  const text = `FCM ${status}${typeof err.status === 'string' ? ` ${err.status}` : ''}${codes.length > 0 ? ` (${codes.join(', ')})` : ''}${typeof err.message === 'string' ? `: ${err.message}` : ''}`;
  if (status === 404 || codes.includes('UNREGISTERED')) return { kind: 'bad-token', error: text };
  if (status === 400 && (tokenField || (typeof err.message === 'string' && /registration token/i.test(err.message)))) return { kind: 'bad-token', error: text };
  if (status === 429 || status >= 500) {
    const seconds = Number(retryAfter);
    return { kind: 'transient', error: text, ...(retryAfter && Number.isFinite(seconds) && seconds >= 0 ? { retryAfterMs: seconds * 1000 } : {}) };
  }
  return { kind: 'failed', error: text };
}
