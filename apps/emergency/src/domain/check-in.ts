export const CHECK_IN_STATUSES = ['pending', 'completed', 'missed', 'cancelled'] as const;
export type CheckInStatus = (typeof CHECK_IN_STATUSES)[number];

/** A dead man's switch: if the person has not completed it by dueAt + grace, an emergency is raised. */
export interface CheckIn {
  id: string;
  personId: string;
  note: string | null;
  dueAt: string;
  status: CheckInStatus;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
  closedAt: string | null;
  /** The emergency a missed check-in raised (or joined). */
  emergencyId: string | null;
  version: number;
}

/** Bounds of a timer: a walk home, a night shift, a weekend hike; never a timer that waits for weeks. */
export const CHECK_IN_LIMITS = { minMinutes: 1, maxMinutes: 7 * 24 * 60, pendingPerPerson: 20 };
