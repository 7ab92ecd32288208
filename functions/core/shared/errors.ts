/**
 * Named domain errors. The HTTP layer maps each name to one status; nothing else in the
 * code base decides a status code, and messages of unexpected errors never leave the server.
 */

/** One problem with one field of a request, named by its path (`requester.email`). */
export interface FieldProblem {
  readonly path: string;
  readonly message: string;
}

export class ValidationError extends Error {
  override readonly name = 'ValidationError';
  readonly fields: readonly FieldProblem[];
  constructor(message: string, fields: readonly FieldProblem[] = [], options?: ErrorOptions) {
    super(message, options);
    this.fields = fields;
  }
}

/** Also used when a record exists but the caller may not see it (OWASP API1: no existence oracle). */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** A write lost a race: `current` is the record as it is now, for the client to reload. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
  readonly current: unknown;
  constructor(message: string, current?: unknown, options?: ErrorOptions) {
    super(message, options);
    this.current = current;
  }
}

export class UnauthorizedError extends Error {
  override readonly name = 'UnauthorizedError';
}

/** The caller is known but the action is not theirs to take (used where hiding existence is pointless). */
export class ForbiddenError extends Error {
  override readonly name = 'ForbiddenError';
}

/** Too many requests from one caller: try again after `retryAfterSeconds`. */
export class TooManyRequestsError extends Error {
  override readonly name = 'TooManyRequestsError';
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds: number, options?: ErrorOptions) {
    super(message, options);
    this.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
  }
}

export class PayloadTooLargeError extends Error {
  override readonly name = 'PayloadTooLargeError';
}

/** The thing asked for existed but is over for good: an expired approval, a used or expired link. */
export class GoneError extends Error {
  override readonly name = 'GoneError';
}

/**
 * The store stayed too busy to take a write after its bounded retries (transaction conflicts on
 * hot items, throttling): 503 with `Retry-After`, never a 500. Nothing was written.
 */
export class BusyError extends Error {
  override readonly name = 'BusyError';
  /** Seconds after which a retry is likely to succeed. @default 1 */
  readonly retryAfterSeconds: number;
  constructor(message: string, retryAfterSeconds = 1, options?: ErrorOptions) {
    super(message, options);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}
