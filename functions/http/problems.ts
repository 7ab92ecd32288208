import * as z from 'zod';
import { BusyError, type FieldProblem, TooManyRequestsError } from '#core/shared/errors.ts';

/**
 * The one place that decides HTTP status codes: each named error maps to a status and a
 * stable `code`. Anything unnamed is a 500 whose body says nothing about the internals.
 */
const statusByErrorName: Record<string, { status: number; code: string }> = {
  ValidationError: { status: 400, code: 'invalid_request' },
  ZodError: { status: 400, code: 'invalid_request' },
  MalformedBodyError: { status: 400, code: 'malformed_body' },
  UnauthorizedError: { status: 401, code: 'unauthorized' },
  ForbiddenError: { status: 403, code: 'forbidden' },
  NotFoundError: { status: 404, code: 'not_found' },
  MethodNotAllowedError: { status: 405, code: 'method_not_allowed' },
  ConflictError: { status: 409, code: 'conflict' },
  GoneError: { status: 410, code: 'gone' },
  BusyError: { status: 503, code: 'busy' },
  PayloadTooLargeError: { status: 413, code: 'payload_too_large' },
  UnsupportedMediaTypeError: { status: 415, code: 'unsupported_media_type' },
  TooManyRequestsError: { status: 429, code: 'too_many_requests' },
};

export const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    fields: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    current: z.unknown().optional(),
  }),
});
export type ErrorBody = z.infer<typeof ErrorBody>;

export class MalformedBodyError extends Error {
  override readonly name = 'MalformedBodyError';
}
export class MethodNotAllowedError extends Error {
  override readonly name = 'MethodNotAllowedError';
  readonly allow: readonly string[];
  constructor(message: string, allow: readonly string[]) {
    super(message);
    this.allow = allow;
  }
}
export class UnsupportedMediaTypeError extends Error {
  override readonly name = 'UnsupportedMediaTypeError';
}

/** A field path as people write it: `requester.email`, `watchers[2]`. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => {
    if (typeof key === 'number') return `${out}[${key}]`;
    return out ? `${out}.${String(key)}` : String(key);
  }, '');
}

export function problemOf(error: unknown): {
  status: number;
  body: ErrorBody;
  headers?: Record<string, string>;
} {
  const name = error instanceof Error ? error.name : '';
  const known = statusByErrorName[name];
  if (!known || !(error instanceof Error)) {
    return {
      status: 500,
      body: { error: { code: 'internal_error', message: 'Something went wrong on our side.' } },
    };
  }
  let fields: FieldProblem[] | undefined;
  let message = error.message;
  if (error instanceof z.ZodError) {
    fields = error.issues.map((issue) => ({
      path: fieldPath(issue.path) || '(request)',
      message:
        issue.code === 'unrecognized_keys' ? `unknown field(s): ${issue.keys.join(', ')}` : issue.message,
    }));
    message = `Invalid request: ${fields.map((f) => `${f.path} ${f.message}`).join('; ')}`;
  } else if ('fields' in error && Array.isArray(error.fields) && error.fields.length > 0) {
    fields = error.fields as FieldProblem[];
  }
  const current = 'current' in error && error.current !== undefined ? { current: error.current } : {};
  return {
    status: known.status,
    body: { error: { code: known.code, message, ...(fields ? { fields } : {}), ...current } },
    ...(error instanceof MethodNotAllowedError ? { headers: { allow: error.allow.join(', ') } } : {}),
    ...(error instanceof TooManyRequestsError || error instanceof BusyError
      ? { headers: { 'retry-after': String(error.retryAfterSeconds) } }
      : {}),
  };
}
