import { Counter, Gauge, Histogram } from 'prom-client';
import type { Metrics } from '@lifeline/kit';

export interface NotificationMetrics {
  /** Deliveries that reached a final status; reason only for suppressed ones. */
  deliveries: Counter<'channel' | 'status' | 'reason'>;
  /** Every send attempt by its result. */
  attempts: Counter<'channel' | 'result'>;
  sendDuration: Histogram<'channel'>;
  /** Live messages this replica received from the fan-out, by what became of them. */
  liveMessages: Counter<'outcome'>;
  sockets: Gauge;
}

export function registerNotificationMetrics(metrics: Metrics): NotificationMetrics {
  const registers = [metrics.registry];
  return {
    deliveries: new Counter({
      name: 'notification_deliveries_total',
      help: 'Deliveries that reached a final status (sent, failed, suppressed), by channel and suppression reason',
      labelNames: ['channel', 'status', 'reason'],
      registers,
    }),
    attempts: new Counter({
      name: 'notification_send_attempts_total',
      help: 'Send attempts by channel and result (ok, transient, permanent)',
      labelNames: ['channel', 'result'],
      registers,
    }),
    sendDuration: new Histogram({
      name: 'notification_send_duration_seconds',
      help: 'Time one send attempt took, by channel',
      labelNames: ['channel'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    liveMessages: new Counter({
      name: 'notification_live_messages_total',
      help: 'Live messages received from the fan-out: delivered to a socket here, no socket here, stale, duplicate',
      labelNames: ['outcome'],
      registers,
    }),
    sockets: new Gauge({
      name: 'notification_websocket_connections',
      help: 'Open WebSocket connections on this replica',
      registers,
    }),
  };
}
