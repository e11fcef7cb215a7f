import { pino } from 'pino';
import type { DestinationStream } from 'pino';
import { currentContext } from './context.ts';

export type Logger = pino.Logger;

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export interface LoggerOptions {
  appId: string;
  level?: LogLevel;
  /** Tests pass a stream to read the lines back; apps log to stdout. */
  destination?: DestinationStream;
}

export function createLogger({ appId, level = 'info', destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { app: appId },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Label instead of number: readable in a terminal and still trivially filterable.
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const ctx = currentContext();
        if (!ctx) return {};
        return {
          traceId: ctx.traceId,
          ...(ctx.requestId !== undefined ? { requestId: ctx.requestId } : {}),
          ...(ctx.eventId !== undefined ? { eventId: ctx.eventId } : {}),
        };
      },
      // Belt and braces: nothing in the kit logs these, but an app logging a whole request must not leak them.
      redact: {
        paths: [
          'req.headers.authorization',
          'req.headers["dapr-api-token"]',
          'headers.authorization',
          'headers["dapr-api-token"]',
          '*.password',
          '*.token',
        ],
        censor: '[redacted]',
      },
    },
    destination,
  );
}
