import type { DaprClient } from '@lifeline/kit';
import { fcmPath, fcmRequest, interpretFcmResponse, type PushMessage, type PushResult } from './fcm.ts';

/** Where push messages leave the app; behind an interface so a test without daprd can talk FCM over HTTP itself. */
export interface PushGateway {
  send(message: PushMessage): Promise<PushResult>;
}

/**
 * Push through the Dapr output binding (bindings.http pointed at an FCM-compatible base URL). With
 * errorIfNot2XX=false daprd answers 200 with the provider's body and puts the provider's status in the
 * `metadata.statusCode` response header (and its headers as `metadata.<name>`); a daprd failure of its own (binding missing, provider unreachable)
 * throws, and is transient like any failure to reach the provider.
 */
export function daprPushGateway(dapr: Pick<DaprClient, 'invokeBinding'>, binding: string, project: string): PushGateway {
  return {
    async send(message) {
      let result;
      try {
        result = await dapr.invokeBinding(binding, 'post', fcmRequest(message), { path: fcmPath(project), errorIfNot2XX: 'false' });
      } catch (err) {
        return { kind: 'transient', error: `push binding ${binding}: ${err instanceof Error ? err.message : String(err)}` };
      }
      const upstream = Number(result.headers.get('metadata.statuscode') ?? result.status);
      return interpretFcmResponse(Number.isInteger(upstream) ? upstream : result.status, result.body, result.headers.get('metadata.retry-after'));
    },
  };
}
