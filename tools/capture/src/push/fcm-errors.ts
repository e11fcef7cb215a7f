import type { Reply } from '../http/reply.ts';
import type { PushFaultStatus } from '../types.ts';

// Bodies as FCM HTTP v1 sends them (google.rpc.Status with FCM's error details), so a client's error
// handling is exercised against the real shape. See https://firebase.google.com/docs/cloud-messaging/error-codes

const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';
const JSON_UTF8 = 'application/json; charset=UTF-8';

export interface FieldViolation {
  field?: string;
  description: string;
}

function googleError(code: number, status: string, message: string, details: unknown[], headers?: Record<string, string>): Reply {
  return {
    status: code,
    contentType: JSON_UTF8,
    ...(headers ? { headers } : {}),
    body: { error: { code, message, status, details } },
  };
}

export function invalidArgument(violations: FieldViolation[]): Reply {
  const message = violations[0]?.description ?? 'Request contains an invalid argument.';
  return googleError(400, 'INVALID_ARGUMENT', message, [
    { '@type': BAD_REQUEST, fieldViolations: violations },
    { '@type': FCM_ERROR, errorCode: 'INVALID_ARGUMENT' },
  ]);
}

export function unregistered(): Reply {
  return googleError(404, 'NOT_FOUND', 'Requested entity was not found.', [{ '@type': FCM_ERROR, errorCode: 'UNREGISTERED' }]);
}

const FAULTS: Record<PushFaultStatus, { status: string; errorCode: string; message: string }> = {
  429: { status: 'RESOURCE_EXHAUSTED', errorCode: 'QUOTA_EXCEEDED', message: 'Quota exceeded for sending messages.' },
  500: { status: 'INTERNAL', errorCode: 'INTERNAL', message: 'Internal error encountered.' },
  503: { status: 'UNAVAILABLE', errorCode: 'UNAVAILABLE', message: 'The service is currently unavailable.' },
};

export function injectedFault(code: PushFaultStatus, retryAfterSeconds: number | null): Reply {
  const fault = FAULTS[code];
  const headers = retryAfterSeconds === null ? undefined : { 'retry-after': String(retryAfterSeconds) };
  return googleError(code, fault.status, fault.message, [{ '@type': FCM_ERROR, errorCode: fault.errorCode }], headers);
}
