import { z } from 'zod';
import type { CaptureState } from '../capture-state.ts';
import { invalidArgument } from '../push/fcm-errors.ts';
import { sendPush } from '../push/fcm-send.ts';
import { pushFaultInputSchema, queuedPushFault } from '../push/push-fault.ts';
import { pushMatches, pushQuerySchema } from './filters.ts';
import { CaptureProblem } from './reply.ts';
import { route, type Route, type RouteRequest } from './router.ts';
import { parseBody, parseQuery } from './validate.ts';

const unregisterSchema = z.strictObject({ token: z.string().min(1) });

/** FCM answers an unreadable body with INVALID_ARGUMENT in its own format, not problem+json. */
async function fcmBody(req: RouteRequest): Promise<{ ok: true; body: unknown } | { ok: false; problem: CaptureProblem }> {
  try {
    return { ok: true, body: await req.json() };
  } catch (err) {
    if (err instanceof CaptureProblem) return { ok: false, problem: err };
    throw err;
  }
}

export function pushRoutes(state: CaptureState): Route[] {
  return [
    route('POST', '/fcm/v1/projects/:project/messages:send', async (req) => {
      const read = await fcmBody(req);
      if (!read.ok) return invalidArgument([{ description: `Invalid JSON payload received. ${read.problem.detail}` }]);
      return sendPush(state, req.params.project ?? '', read.body, new Date());
    }),
    route('GET', '/push/messages', ({ query }) => {
      const filter = parseQuery(pushQuerySchema, query);
      return { status: 200, body: { pushes: state.pushes.filter(pushMatches(filter)) } };
    }),
    route('DELETE', '/push/messages', () => {
      state.pushes.clear();
      return { status: 204 };
    }),
    route('POST', '/push/unregistered', async (req) => {
      const { token } = parseBody(unregisterSchema, await req.json());
      state.unregisteredTokens.add(token);
      return { status: 204 };
    }),
    route('GET', '/push/faults', () => ({ status: 200, body: { faults: state.pushFaults.list() } })),
    route('POST', '/push/faults', async (req) => {
      const input = parseBody(pushFaultInputSchema, await req.json());
      return { status: 201, body: state.pushFaults.add(queuedPushFault(input)) };
    }),
    route('DELETE', '/push/faults', () => {
      state.pushFaults.clear();
      return { status: 204 };
    }),
  ];
}
