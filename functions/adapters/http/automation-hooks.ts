import * as z from 'zod';
import {
  AutomationFailedError,
  type AutomationHooks,
  type AutomationPayload,
} from '#ports/catalog-automation.ts';

/**
 * Automation hooks over HTTPS: each configured name is an endpoint that receives the task's
 * payload as a JSON POST (with `Idempotency-Key: <task id>`, the same on every retry) and answers
 * 2xx with `{"result": "what was done"}`. Anything else — a status outside 2xx, no answer within
 * the time limit, a body without `result` — is a failure naming the hook and why, which the
 * workflow retries and then hands to a person. The response body is never echoed beyond 300
 * characters into the task history (it might carry more than it should).
 */
export const HookMap = z.record(
  z.string().regex(/^[a-z0-9][a-z0-9-]{0,47}$/),
  z.url({ protocol: /^https?$/ }),
);

/** `CATALOG_AUTOMATION_HOOKS`: a JSON object of hook name → URL. */
export function parseHooks(raw: string): Record<string, string> {
  return HookMap.parse(JSON.parse(raw || '{}'));
}

const Answer = z.object({ result: z.string().trim().min(1).max(2000) });

export class HttpAutomationHooks implements AutomationHooks {
  readonly #hooks: Readonly<Record<string, string>>;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;

  constructor(
    hooks: Readonly<Record<string, string>>,
    options: { timeoutMs?: number; fetch?: typeof fetch } = {},
  ) {
    this.#hooks = hooks;
    this.#timeoutMs = options.timeoutMs ?? 20_000;
    this.#fetch = options.fetch ?? fetch;
  }

  async call(name: string, payload: AutomationPayload, idempotencyKey: string) {
    const url = this.#hooks[name];
    if (!url) throw new AutomationFailedError(`No automation hook ${name} is configured`);
    let response: Response;
    try {
      response = await this.#fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': idempotencyKey },
        body: JSON.stringify(payload),
        redirect: 'error',
        signal: AbortSignal.timeout(this.#timeoutMs),
      });
    } catch (error) {
      const why =
        error instanceof Error && error.name === 'TimeoutError'
          ? `no answer within ${this.#timeoutMs} ms`
          : String(error instanceof Error ? error.message : error);
      throw new AutomationFailedError(`Hook ${name} could not be reached: ${why}`);
    }
    const text = (await response.text()).slice(0, 10_000);
    if (!response.ok)
      throw new AutomationFailedError(`Hook ${name} answered ${response.status}: ${text.slice(0, 300)}`);
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      throw new AutomationFailedError(`Hook ${name} answered ${response.status} without JSON`);
    }
    const answer = Answer.safeParse(body);
    if (!answer.success)
      throw new AutomationFailedError(`Hook ${name} answered without a "result" saying what it did`);
    return { result: answer.data.result };
  }
}
