import type { GeoPosition, LiveNotification } from '@lifeline/contracts';
import type { Logger } from '@lifeline/kit';
import type { WebSocket } from 'ws';
import type { NotificationMetrics } from '../notification-metrics.ts';

/** A frame the server writes; clients switch on `type`. */
export type ServerFrame =
  | { type: 'ready'; userId: string }
  | { type: 'notification'; notification: LiveNotification }
  /** The live position of a person with an open emergency the user may see. */
  | { type: 'position'; emergencyId: string; personId: string; position: GeoPosition };

const GOING_AWAY = 1001;
/** Application close code (4000-4999 range): the token the socket was opened with expired; reconnect with a new one. */
export const TOKEN_EXPIRED = 4401;
// setTimeout takes at most a 32-bit delay; a longer-lived token is checked again when that fires.
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The sockets open on this replica, by user. Liveness is checked with ping/pong every heartbeat: a socket
 * that did not answer the previous ping is cut, so a vanished phone does not hold a slot forever.
 */
export class LiveHub {
  readonly #sockets = new Map<string, Set<WebSocket>>();
  readonly #alive = new WeakMap<WebSocket, boolean>();
  readonly #timer: NodeJS.Timeout;
  readonly #logger: Logger;
  readonly #metrics: NotificationMetrics;
  #closed = false;

  constructor(opts: { heartbeatMs: number; logger: Logger; metrics: NotificationMetrics }) {
    this.#logger = opts.logger;
    this.#metrics = opts.metrics;
    this.#timer = setInterval(() => this.#heartbeat(), opts.heartbeatMs);
    this.#timer.unref();
  }

  get closed(): boolean {
    return this.#closed;
  }

  get connections(): number {
    let n = 0;
    for (const set of this.#sockets.values()) n += set.size;
    return n;
  }

  /** Registers the socket for its user until it closes, or until `expiresAt` (epoch ms) when its token runs out. */
  add(userId: string, socket: WebSocket, expiresAt?: number): void {
    if (this.#closed) {
      socket.close(GOING_AWAY, 'server shutting down');
      return;
    }
    const set = this.#sockets.get(userId) ?? new Set();
    set.add(socket);
    this.#sockets.set(userId, set);
    this.#alive.set(socket, true);
    this.#metrics.sockets.inc();
    socket.on('pong', () => this.#alive.set(socket, true));
    const expiry = expiresAt === undefined ? undefined : this.#expireAt(socket, expiresAt);
    socket.on('close', () => {
      clearTimeout(expiry?.current);
      set.delete(socket);
      if (set.size === 0 && this.#sockets.get(userId) === set) this.#sockets.delete(userId);
      this.#metrics.sockets.dec();
    });
    socket.on('error', (err) => this.#logger.debug({ err, userId }, 'websocket error'));
    this.#write(socket, { type: 'ready', userId });
  }

  /** Writes the notification to every socket this replica holds for the user; returns how many. */
  deliver(userId: string, notification: LiveNotification): number {
    return this.send(userId, { type: 'notification', notification });
  }

  /** Writes the frame to every socket this replica holds for the user; returns how many. */
  send(userId: string, frame: ServerFrame): number {
    const set = this.#sockets.get(userId);
    if (!set) return 0;
    let written = 0;
    for (const socket of set) if (this.#write(socket, frame)) written++;
    return written;
  }

  /** Says goodbye to every client (1001, they reconnect to another replica) and stops the heartbeat. */
  close(): void {
    this.#closed = true;
    clearInterval(this.#timer);
    for (const set of this.#sockets.values()) for (const socket of set) socket.close(GOING_AWAY, 'server shutting down');
  }

  /** Cuts whatever did not close politely (called after a grace period). */
  terminate(): void {
    for (const set of this.#sockets.values()) for (const socket of set) socket.terminate();
  }

  #expireAt(socket: WebSocket, expiresAt: number): { current: NodeJS.Timeout | undefined } {
    const timer: { current: NodeJS.Timeout | undefined } = { current: undefined };
    const arm = () => {
      const left = expiresAt - Date.now();
      if (left <= 0) {
        socket.close(TOKEN_EXPIRED, 'token expired');
        return;
      }
      timer.current = setTimeout(arm, Math.min(left, MAX_TIMER_MS));
      timer.current.unref();
    };
    arm();
    return timer;
  }

  #write(socket: WebSocket, frame: ServerFrame): boolean {
    if (socket.readyState !== socket.OPEN) return false;
    socket.send(JSON.stringify(frame));
    return true;
  }

  #heartbeat(): void {
    for (const set of this.#sockets.values()) {
      for (const socket of set) {
        if (this.#alive.get(socket) === false) {
          socket.terminate();
          continue;
        }
        this.#alive.set(socket, false);
        socket.ping();
      }
    }
  }
}
