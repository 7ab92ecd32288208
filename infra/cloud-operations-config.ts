import * as z from 'zod';
import { TrailSettings } from '#core/operations/cloudtrail-service.ts';
import { OperationsSettings } from '#core/operations/operations-settings.ts';

/**
 * `cloudOperations` of the account config (`docs/cloud-operations.md`): alarms and AWS Health into
 * incidents, CloudTrail write calls checked against the changes in implement, chat
 * notifications through EventBridge API destinations, and the accounts trusted to put events.
 */
const ChatTarget = z
  .object({
    /** A name for the destination (letters, digits, dashes). */
    name: z.string().regex(/^[A-Za-z0-9-]{1,32}$/, 'letters, digits and dashes, at most 32'),
    kind: z.enum(['slack', 'teams']),
    /**
     * The Secrets Manager secret holding the incoming-webhook URL (its ARN or name, key `url`):
     * never the URL itself, which is a credential.
     */
    webhookSecret: z.string().min(1).max(2048),
    /** The domain event types sent there (`ticket.created`, `service.status_changed`, …). */
    events: z
      .array(z.string().regex(/^[a-z_]+\.[a-z_]+$/, 'a domain event type such as ticket.created'))
      .min(1)
      .max(20),
    /** Only incidents of these priorities (for ticket events). @default every priority */
    priorities: z.array(z.number().int().min(1).max(5)).max(5).optional(),
  })
  .strict();
export type ChatTarget = z.infer<typeof ChatTarget>;

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
    /** Slack or Teams channels that get chosen events, through EventBridge API destinations. */
    chat: z.array(ChatTarget).max(10).default([]),
    /** Accounts allowed to put events on Spoke's bus (a tooling account's pipelines). */
    trustedAccounts: z
      .array(z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'))
      .max(50)
      .default([]),
  })
  .strict();
export type CloudOperationsConfig = z.infer<typeof cloudOperationsConfig>;
