import type { CaptureState } from '../capture-state.ts';
import { queuedSmtpFault, smtpFaultInputSchema } from '../smtp/smtp-fault.ts';
import { messageMatches, messageQuerySchema } from './filters.ts';
import { notFoundProblem } from './reply.ts';
import { route, type Route } from './router.ts';
import { parseBody, parseQuery } from './validate.ts';

export function mailRoutes(state: CaptureState): Route[] {
  return [
    route('GET', '/messages', ({ query }) => {
      const filter = parseQuery(messageQuerySchema, query);
      return { status: 200, body: { messages: state.messages.filter(messageMatches(filter)) } };
    }),
    route('GET', '/messages/:id', ({ params }) => {
      const message = state.messages.get(params.id ?? '');
      if (!message) throw notFoundProblem(`No captured message has the id '${params.id}'.`, 'message-not-found');
      return { status: 200, body: message };
    }),
    route('DELETE', '/messages', () => {
      state.messages.clear();
      return { status: 204 };
    }),
    route('GET', '/smtp/faults', () => ({ status: 200, body: { faults: state.smtpFaults.list() } })),
    route('POST', '/smtp/faults', async (req) => {
      const input = parseBody(smtpFaultInputSchema, await req.json());
      return { status: 201, body: state.smtpFaults.add(queuedSmtpFault(input)) };
    }),
    route('DELETE', '/smtp/faults', () => {
      state.smtpFaults.clear();
      return { status: 204 };
    }),
  ];
}
