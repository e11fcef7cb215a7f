import type { Logger } from '@lifeline/kit';
import { recordLocation } from '../data/emergency-repository.ts';
import type { LocationClient } from '../clients/location-client.ts';
import type { EmergencyDeps } from './emergency-deps.ts';

/**
 * After a raise committed: asks the location app for the last known position and the last 30 minutes'
 * trail and records what it got on the timeline (and as the emergency's location when the raise carried
 * none). Runs after the answer went out, with the location client's short timeout, so an absent or slow
 * location app never holds up a raise or a page; that it was unavailable is recorded on the timeline too.
 * The lookup is made before any SQL, and what it found is written in one statement.
 */
export async function attachLocation(deps: Pick<EmergencyDeps, 'db'>, location: LocationClient, logger: Logger, emergencyId: string, personId: string): Promise<void> {
  const lookup = await location.snapshot(personId);
  if (!lookup.ok) {
    await recordLocation(deps.db, emergencyId, null, { attached: false, reason: lookup.reason });
  } else {
    const { latest, trail } = lookup.snapshot;
    await recordLocation(deps.db, emergencyId, latest, { attached: latest !== null, latest, trail });
  }
  if (!lookup.ok) logger.info({ emergencyId, reason: lookup.reason }, 'no location attached to the emergency');
}

/** Runs attachments in the background and lets shutdown wait for those in flight. */
export class LocationAttacher {
  readonly #running = new Set<Promise<void>>();

  constructor(
    private readonly deps: Pick<EmergencyDeps, 'db'>,
    private readonly location: LocationClient,
    private readonly logger: Logger,
  ) {}

  attach(emergencyId: string, personId: string): void {
    const work = attachLocation(this.deps, this.location, this.logger, emergencyId, personId)
      .catch((err: unknown) => this.logger.warn({ err, emergencyId }, 'attaching the location failed'))
      .finally(() => this.#running.delete(work));
    this.#running.add(work);
  }

  async drain(): Promise<void> {
    await Promise.all([...this.#running]);
  }
}
