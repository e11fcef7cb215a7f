import type { FenceShape } from './geometry/shape.ts';

export interface Geofence {
  id: string;
  personId: string;
  name: string;
  active: boolean;
  shape: FenceShape;
  /** Users told on every crossing besides the person (their caregivers). */
  notify: string[];
  version: number;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** Where the person stands for one fence, as of the newest point evaluated for it. */
export interface FenceState {
  geofenceId: string;
  inside: boolean;
  lastRecordedAt: string;
}
