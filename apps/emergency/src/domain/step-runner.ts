import type { Logger } from '@lifeline/kit';
import type { EmergencyDeps } from './emergency-deps.ts';
import { runDueSteps, type StepOutcome } from './run-due-steps.ts';

/**
 * One runner of due steps per process: the cron tick and an in-process wake (a raise that scheduled a step
 * due now) both go through it, and a run asked for while one is going waits for it and then runs once for
 * all who asked. Correctness does not depend on this (each step is claimed in the database); it keeps one
 * process from running empty transactions beside itself.
 */
export class StepRunner {
  #running: Promise<StepOutcome> | undefined;
  #queued: Promise<StepOutcome> | undefined;
  #stopped = false;

  constructor(
    private readonly deps: EmergencyDeps,
    private readonly logger: Logger,
    private readonly batch: number,
    private readonly onOutcome: (outcome: StepOutcome) => void = () => {},
    private readonly concurrency = 1,
  ) {}

  /** Runs now, or once right after the current run; resolves with what that run did. */
  run(): Promise<StepOutcome> {
    if (this.#running === undefined) return this.#start();
    this.#queued ??= this.#running.catch(() => undefined).then(() => {
      this.#queued = undefined;
      return this.#start();
    });
    return this.#queued;
  }

  #start(): Promise<StepOutcome> {
    const running = runDueSteps(this.deps, this.logger, this.batch, this.concurrency)
      .then((outcome) => {
        this.onOutcome(outcome);
        return outcome;
      })
      .finally(() => {
        if (this.#running === running) this.#running = undefined;
      });
    this.#running = running;
    return running;
  }

  /** Fire and forget; a failure is logged and the next tick tries again. */
  wake(): void {
    if (this.#stopped) return;
    this.run().catch((err: unknown) => this.logger.warn({ err }, 'escalation run after a wake failed; the next tick retries'));
  }

  /** Waits for the runs in progress; later wakes are ignored. */
  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#running?.catch(() => undefined);
    await this.#queued?.catch(() => undefined);
  }
}
