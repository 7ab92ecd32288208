import * as z from 'zod';
import { Label } from '../record/record.ts';
import { FormDefinition } from './form.ts';
import { catalogIcons } from './icons.ts';

/**
 * The service catalog: categories and the items employees order from them. An item carries
 * its order form, who may order it, its cost, its approval policy and its fulfilment plan —
 * all data. Every edit stores a new immutable version; a request keeps the version it was
 * ordered under, so editing or retiring an item never breaks a request in flight.
 */
export const Slug = z
  .string()
  .min(2)
  .max(48)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and -');

export const Icon = z.enum(catalogIcons);
export type Icon = z.infer<typeof Icon>;

export const CatalogCategory = z.object({
  id: Slug,
  name: z.string().trim().min(1).max(80),
  description: z.string().max(500).default(''),
  /** Position in the catalog home, lowest first. */
  order: z.number().int().min(0).max(9999).default(100),
});
export type CatalogCategory = z.infer<typeof CatalogCategory>;

/**
 * Who approves an order before anything is fulfilled: nobody, the requester's manager (from the
 * people directory), or a group (any one member decides). A cost threshold adds one more step:
 * an order costing more than `above` also needs `group`.
 */
export const ApprovalPolicy = z.object({
  policy: z.enum(['none', 'manager', 'group']),
  group: Label.optional(),
  costThreshold: z.object({ above: z.number().min(0).max(1_000_000_000), group: Label }).optional(),
});
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;

/**
 * A task done by an automation instead of (first) a person: the workflow calls the configured
 * hook `hook` (config `catalog.automationHooks`: a name → an HTTPS endpoint) with the order's
 * answers and `input`; success closes the task with the hook's result, a failure is retried, then
 * the task is left open in its group's queue with the error, to be done by hand.
 */
export const TaskAutomation = z.strictObject({
  hook: z
    .string()
    .min(1)
    .max(48)
    .regex(/^[a-z0-9][a-z0-9-]*$/, 'lower-case letters, digits and -'),
  /** Fixed values the hook gets besides the answers (for example the directory group to add to). */
  input: z
    .record(z.string().max(40), z.union([z.string().max(500), z.number(), z.boolean()]))
    .default({})
    .refine((input) => Object.keys(input).length <= 20, 'at most 20 values'),
});
export type TaskAutomation = z.infer<typeof TaskAutomation>;

/** One fulfilment task of a plan: what a group does, in its queue (or an automation does first). */
export const PlannedTask = z.object({
  title: z.string().trim().min(1).max(160),
  group: Label,
  instructions: z.string().max(4000).default(''),
  automation: TaskAutomation.optional(),
});
export type PlannedTask = z.infer<typeof PlannedTask>;

/**
 * The fulfilment plan: stages run one after another, the tasks of a stage at the same time.
 * `[[laptop, phone], [handover]]`: the laptop and phone teams work in parallel, the handover
 * starts when both are done.
 */
export const FulfilmentPlan = z.object({
  stages: z
    .array(z.object({ tasks: z.array(PlannedTask).min(1).max(12) }))
    .min(1)
    .max(12),
});
export type FulfilmentPlan = z.infer<typeof FulfilmentPlan>;

export const Money = z.object({
  amount: z.number().min(0).max(1_000_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'an ISO 4217 code such as EUR'),
});

/** What an admin writes: everything of an item but its id, version and times. */
export const CatalogItemBody = z.strictObject({
  name: z.string().trim().min(1).max(80),
  description: z.string().max(2000).default(''),
  icon: Icon.default('box'),
  category: Slug,
  /** Groups whose members may order it; empty: everyone. Agents may always order on behalf of a caller. */
  orderGroups: z.array(Label).max(20).default([]),
  cost: Money.optional(),
  form: FormDefinition,
  approval: ApprovalPolicy.default({ policy: 'none' }),
  plan: FulfilmentPlan,
  active: z.boolean().default(true),
});
export type CatalogItemBody = z.input<typeof CatalogItemBody>;

export const CatalogItem = z.object({
  ...CatalogItemBody.shape,
  id: Slug,
  /** Raised by every edit; requests name the version they were ordered under. */
  version: z.number().int().min(1),
  updatedBy: z.string().max(254),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type CatalogItem = z.infer<typeof CatalogItem>;

/** Whether an item's approval policy names what it needs. */
export function policyProblems(item: Pick<CatalogItem, 'approval' | 'cost'>) {
  const problems: { path: string; message: string }[] = [];
  if (item.approval.policy === 'group' && !item.approval.group)
    problems.push({ path: 'approval.group', message: 'is required for a group approval' });
  if (item.approval.policy !== 'group' && item.approval.group)
    problems.push({
      path: 'approval.group',
      message: `means nothing for a ${item.approval.policy} approval`,
    });
  if (item.approval.costThreshold && !item.cost)
    problems.push({ path: 'approval.costThreshold', message: 'needs the item to have a cost' });
  return problems;
}
