import type { Rating } from '#core/satisfaction/satisfaction.ts';

/** The ratings of tickets, one per ticket. */
export interface SatisfactionStore {
  rating(ticketId: string): Promise<Rating | undefined>;
  /** Stores a rating over the version read (0: none yet); another writer in between is a `ConflictError`. */
  save(rating: Rating, expectedVersion: number): Promise<void>;
  /** Marks a mailed survey link used; false when it was used already. */
  consumeLink(linkId: string, expiresAt: string): Promise<boolean>;
}
