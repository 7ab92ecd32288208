import * as z from 'zod';
import { TrailSettings } from '#core/operations/cloudtrail-service.ts';
import { OperationsSettings } from '#core/operations/operations-settings.ts';

/**
 * `cloudOperations` of the account config (`docs/cloud-operations.md`): alarms and AWS Health into
 * incidents, CloudTrail write calls checked against the changes in implement, and the accounts
 * trusted to put events on Spoke's bus.
 */
export const cloudOperationsConfig = z
  .object({
    /** CloudWatch "Alarm State Change" events of this account open incidents. @default true */
    alarms: z.boolean().default(true),
    /** AWS Health events of this account open incidents. @default true */
    health: z.boolean().default(true),
    /** How incidents are opened, prioritised, damped and mailed (all optional). */
    incidents: OperationsSettings.default(OperationsSettings.parse({})),
    /**
     * CloudTrail write calls on watched CIs checked against the changes in implement (opt-in: one
     * invocation per write call of the account; needs a trail with logging, checked at deploy).
     */
    cloudTrail: TrailSettings.extend({ enabled: z.boolean().default(false) })
      .strict()
      .default({ ...TrailSettings.parse({}), enabled: false }),
    /** Accounts allowed to put events on Spoke's bus (a tooling account's pipelines). */
    trustedAccounts: z
      .array(z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'))
      .max(50)
      .default([]),
  })
  .strict();
export type CloudOperationsConfig = z.infer<typeof cloudOperationsConfig>;
