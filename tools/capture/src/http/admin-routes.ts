import type { CaptureState } from '../capture-state.ts';
import type { CaptureHealth } from '../types.ts';
import { route, type Route } from './router.ts';

export function adminRoutes(state: CaptureState, smtpPort: number): Route[] {
  return [
    route('GET', '/health', () => {
      const health: CaptureHealth = { status: 'ok', smtpPort, messages: state.messages.size, pushes: state.pushes.size };
      return { status: 200, body: health };
    }),
    // Between tests: one call forgets every message, push, fault and unregistered token.
    route('DELETE', '/reset', () => {
      state.reset();
      return { status: 204 };
    }),
  ];
}
