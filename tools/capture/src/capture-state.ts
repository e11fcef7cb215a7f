import { BoundedLog } from './bounded-log.ts';
import { FaultQueue } from './fault-queue.ts';
import type { CapturedMessage, CapturedPush, PushFault, SmtpFault } from './types.ts';

export interface CaptureLimits {
  maxMessages: number;
  maxPushes: number;
}

/** Everything the capture server remembers; in memory only, shared by the SMTP and HTTP sides. */
export class CaptureState {
  readonly messages: BoundedLog<CapturedMessage>;
  readonly pushes: BoundedLog<CapturedPush>;
  readonly smtpFaults = new FaultQueue<SmtpFault>();
  readonly pushFaults = new FaultQueue<PushFault>();
  /** Tokens whose app was uninstalled: FCM answers 404 UNREGISTERED for them. */
  readonly unregisteredTokens = new Set<string>();

  constructor(limits: CaptureLimits) {
    this.messages = new BoundedLog(limits.maxMessages);
    this.pushes = new BoundedLog(limits.maxPushes);
  }

  reset(): void {
    this.messages.clear();
    this.pushes.clear();
    this.smtpFaults.clear();
    this.pushFaults.clear();
    this.unregisteredTokens.clear();
  }
}
