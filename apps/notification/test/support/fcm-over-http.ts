import { fcmPath, fcmRequest, interpretFcmResponse } from '../../src/channels/push/fcm.ts';
import type { PushGateway } from '../../src/channels/push/push-gateway.ts';

/**
 * Push straight to an FCM-compatible base URL (the capture server's /fcm) for tests where no daprd runs to
 * carry the output binding; the request and the reading of the answer are the app's own.
 */
export function fcmOverHttp(baseUrl: string, project: string): PushGateway {
  return {
    async send(message) {
      try {
        const res = await fetch(`${baseUrl}${fcmPath(project)}`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(fcmRequest(message)),
        });
        return interpretFcmResponse(res.status, await res.text(), res.headers.get('retry-after'));
      } catch (err) {
        return { kind: 'transient', error: (err as Error).message };
      }
    },
  };
}
