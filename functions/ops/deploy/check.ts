/**
 * What one preflight check found. `ok` says what was found; `fix` blocks the deploy (it would
 * fail or roll back) and its message is the exact fix; `todo` lets the deploy go ahead but names
 * what stays broken until it is done (mail in the SES sandbox, an unverified domain).
 */
export type CheckStatus = 'ok' | 'fix' | 'todo';

export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  readonly message: string;
}

export const ok = (name: string, message: string): CheckResult => ({ name, status: 'ok', message });
export const fix = (name: string, message: string): CheckResult => ({ name, status: 'fix', message });
export const todo = (name: string, message: string): CheckResult => ({ name, status: 'todo', message });

/** The error name the SDK gives a service exception (`ResourceNotFoundException`, …). */
export const errorName = (error: unknown): string =>
  error instanceof Error ? error.name : typeof error === 'string' ? error : 'Error';

/**
 * A check that could not ask AWS (no permission, throttled, a network error) says so as a fix
 * naming the call, rather than passing silently or crashing the whole preflight.
 */
export function couldNotCheck(name: string, call: string, error: unknown): CheckResult {
  const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  const hint = /AccessDenied|UnauthorizedOperation|not authorized/i.test(reason)
    ? ` — allow ${call} to the deploying role, or run with credentials that may call it`
    : '';
  return fix(name, `could not call ${call} (${reason})${hint}`);
}

/** True for the SDK's "no credentials could be found or they are no longer valid" errors. */
export function isCredentialsError(error: unknown): boolean {
  const name = errorName(error);
  return (
    name === 'CredentialsProviderError' ||
    name === 'ExpiredToken' ||
    name === 'ExpiredTokenException' ||
    name === 'InvalidClientTokenId' ||
    name === 'UnrecognizedClientException' ||
    name === 'TokenProviderError'
  );
}

const labels: Record<CheckStatus, string> = { ok: 'ok  ', fix: 'FIX ', todo: 'TODO' };

/** One check as printed: `ok    name: message`, continuation lines indented under the message. */
export function formatResult(result: CheckResult): string {
  const [first, ...rest] = result.message.split('\n');
  const indent = ' '.repeat(8);
  return [`  ${labels[result.status]}  ${result.name}: ${first}`, ...rest.map((line) => indent + line)].join(
    '\n',
  );
}

/** The closing line of a preflight: how many checks block the deploy and how many are left to do. */
export function summarize(results: readonly CheckResult[]): string {
  const fixes = results.filter((r) => r.status === 'fix').length;
  const todos = results.filter((r) => r.status === 'todo').length;
  if (fixes === 0 && todos === 0) return `All ${results.length} checks passed.`;
  const parts = [
    fixes ? `${fixes} to fix before deploying` : 'nothing blocks the deploy',
    todos ? `${todos} to do before Spoke works fully` : '',
  ].filter(Boolean);
  return `${parts.join('; ')}.`;
}
