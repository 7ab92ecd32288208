/** Time and identifiers, injected so the core is deterministic under test. */
export interface Clock {
  now(): Date;
}

export interface IdGenerator {
  /** A new, unguessable, roughly time-ordered identifier. */
  next(): string;
}
