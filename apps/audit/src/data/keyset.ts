/** The position after which the next page starts: the sort key of the last row already returned. */
export interface Keyset {
  at: Date;
  id: string;
}
