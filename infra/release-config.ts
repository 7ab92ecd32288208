import * as z from 'zod';
import { AccountId, PipelineConfig } from '#core/release/pipeline.ts';

/**
 * The account config's `release` section: who decides go/no-go, which pipelines the deployment
 * gate knows (and the standard change template each records its deployments under), and which
 * other accounts (a tooling account running the pipelines) may invoke the gate and send their
 * pipeline events to this stack's bus.
 */
export const releaseConfigSchema = z
  .object({
    /** Group id whose members decide go/no-go. @default 'cab' */
    goNoGoGroup: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]{1,63}$/, 'a group id: lowercase letters, digits and -')
      .default('cab'),
    /** Accounts whose pipelines may invoke the gate and put their CodePipeline events on the bus. @default [] */
    trustedAccounts: z.array(AccountId).max(20).default([]),
    /** The pipelines the gate answers (name, account, template, release, windowMinutes). @default [] */
    pipelines: z.array(PipelineConfig).max(20).default([]),
  })
  .strict()
  .superRefine((release, ctx) => {
    const seen = new Set<string>();
    release.pipelines.forEach((pipeline, index) => {
      if (seen.has(pipeline.name))
        ctx.addIssue({
          code: 'custom',
          path: ['pipelines', index, 'name'],
          message: `${pipeline.name} is listed twice`,
        });
      seen.add(pipeline.name);
    });
  })
  .default({ goNoGoGroup: 'cab', trustedAccounts: [], pipelines: [] });

export type ReleaseConfig = z.output<typeof releaseConfigSchema>;

/** A pipeline's account must be the stack's own or a trusted one: anything else could never reach the gate. */
export function checkPipelineAccounts(
  config: { readonly account: string; readonly release: ReleaseConfig },
  ctx: z.RefinementCtx,
): void {
  config.release.pipelines.forEach((pipeline, index) => {
    if (
      pipeline.account &&
      pipeline.account !== config.account &&
      !config.release.trustedAccounts.includes(pipeline.account)
    )
      ctx.addIssue({
        code: 'custom',
        path: ['release', 'pipelines', index, 'account'],
        message: `${pipeline.account} is neither this stack's account nor in release.trustedAccounts`,
      });
  });
}
