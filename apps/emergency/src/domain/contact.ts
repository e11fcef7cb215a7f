/** One entry of a person's emergency contact list. */
export interface Contact {
  id: string;
  personId: string;
  position: number;
  kind: 'user' | 'contact';
  /** Set for a Lifeline user. */
  userId: string | null;
  /** For a user: what pages call them (their user id unless given). */
  name: string;
  /** Set for an outside contact. */
  email: string | null;
  /** Kept for later SMS/voice; not used yet. */
  phone: string | null;
  createdAt: string;
  updatedAt: string;
}

/** How many contacts one person may keep: a tier pages at most 20, and ten tiers of those is plenty. */
export const MAX_CONTACTS = 50;
