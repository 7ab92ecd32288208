/**
 * The hooks automated fulfilment tasks call (config `catalog.automationHooks`): a named endpoint
 * that does the work — adds someone to a directory group, starts an SSM Automation runbook that
 * resets a directory password, creates an account — and answers what it did.
 */
export interface AutomationPayload {
  readonly request: string;
  readonly task: string;
  readonly step: string;
  readonly item: { readonly id: string; readonly version: number; readonly name: string };
  readonly requestedFor: string;
  readonly requester: string;
  readonly answers: Readonly<Record<string, unknown>>;
  readonly input: Readonly<Record<string, unknown>>;
}

export interface AutomationHooks {
  /**
   * Calls hook `name` once with the payload; `idempotencyKey` is the same for every attempt at
   * one task, so a hook that already did the work answers without doing it twice. Resolves with
   * what the hook says it did; rejects with `AutomationFailedError` naming why.
   */
  call(
    name: string,
    payload: AutomationPayload,
    idempotencyKey: string,
  ): Promise<{ readonly result: string }>;
}

/** An automation attempt failed; the name is what the state machine's Retry matches. */
export class AutomationFailedError extends Error {
  override readonly name = 'Automation.Failed';
}
