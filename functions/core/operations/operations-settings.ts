import * as z from 'zod';

/**
 * How cloud operations turns AWS events into incidents (`cloudOperations` in the account config,
 * `docs/configuration.md`), as the functions receive it (one JSON environment variable).
 */
export const OperationsSettings = z.object({
  /** Who an alarm or Health incident is opened for (its requester); never a person's inbox by default. */
  requester: z.email().max(254).default('monitoring@spoke.invalid'),
  /** The group an incident goes to when neither its CI nor its service names a support group. */
  defaultGroup: z.string().min(1).max(64).optional(),
  /** Priority of an incident from the highest criticality of the services (or the CI) it touches. */
  priorityByCriticality: z
    .object({
      critical: z.number().int().min(1).max(5),
      high: z.number().int().min(1).max(5),
      medium: z.number().int().min(1).max(5),
      low: z.number().int().min(1).max(5),
    })
    .default({ critical: 1, high: 2, medium: 3, low: 4 }),
  /** Priority of an incident against "unknown CI" (a resource the CMDB does not hold). @default 3 */
  unknownCiPriority: z.number().int().min(1).max(5).default(3),
  /** A CI or service tag of this name, with a value 1–5, sets the priority instead. @default 'spoke:priority' */
  priorityTag: z.string().min(1).max(128).default('spoke:priority'),
  alarms: z
    .object({
      /** What an OK state does to the alarm's open incident. @default 'resolve' */
      onOk: z.enum(['resolve', 'note']).default('resolve'),
      /** The window in which state changes are counted for flapping. @default 900 */
      flapWindowSeconds: z.number().int().min(0).max(86_400).default(900),
      /** State changes within the window from which the alarm counts as flapping. @default 4 */
      flapThreshold: z.number().int().min(2).max(50).default(4),
      /**
       * The least time between two entries a signal writes on its incident; repeats in between
       * are folded into the next entry (a count). @default 300
       */
      entryIntervalSeconds: z.number().int().min(0).max(86_400).default(300),
    })
    .default({ onOk: 'resolve', flapWindowSeconds: 900, flapThreshold: 4, entryIntervalSeconds: 300 }),
  health: z
    .object({
      /** The Health event categories that open incidents (`issue`, `scheduledChange`, `accountNotification`). */
      categories: z.array(z.string().min(1).max(64)).max(10).default(['issue']),
    })
    .default({ categories: ['issue'] }),
  /** Who gets a mail when an incident opens: at most one per address per window (storms). */
  notify: z
    .object({
      addresses: z.array(z.email().max(254)).max(20).default([]),
      /** @default 900 */
      windowSeconds: z.number().int().min(60).max(86_400).default(900),
    })
    .default({ addresses: [], windowSeconds: 900 }),
});
export type OperationsSettings = z.infer<typeof OperationsSettings>;
export type OperationsSettingsInput = z.input<typeof OperationsSettings>;
