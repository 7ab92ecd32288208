import * as z from 'zod';
import { type LifecycleTable, movesFrom } from '../record/lifecycle.ts';
import { ActorRef } from '../record/record.ts';

/**
 * Assets people carry: the hardware configuration items (laptops, desktops, servers, phones,
 * tablets, network devices) as the desk hands them out. An asset is in stock, assigned to one
 * person, in repair or retired; each hand-over is a check-out and each hand-back a return, kept
 * as an assignment entry under the asset, so its history says who had it when.
 */

/** The CI classes that are assets (they carry a state and an assignment). */
export const hardwareClasses = [
  'laptop',
  'desktop',
  'server',
  'mobile_phone',
  'tablet',
  'network_device',
] as const;
export type HardwareClass = (typeof hardwareClasses)[number];
export const HardwareClass = z.enum(hardwareClasses);
export const isHardwareClass = (ciClass: string): ciClass is HardwareClass =>
  (hardwareClasses as readonly string[]).includes(ciClass);

export const AssetState = z.enum(['in_stock', 'assigned', 'in_repair', 'retired']);
export type AssetState = z.infer<typeof AssetState>;

/** The asset side of a hardware CI: its state and, while assigned, when the open assignment began. */
export const AssetInfo = z.object({
  state: AssetState,
  /** The `checkedOutAt` of the open assignment (its key), while assigned. */
  assignedAt: z.iso.datetime().optional(),
});
export type AssetInfo = z.infer<typeof AssetInfo>;

/** The desk moves assets; `fulfilment` is the catalog handing one out from stock. */
export type AssetRole = 'desk' | 'fulfilment';

/**
 * in stock → assigned (check-out) → in stock (return); in stock or assigned → in repair →
 * in stock; in stock or in repair → retired, which is final. An assigned asset is returned
 * before it is retired, so nobody's device disappears from under them.
 */
export const assetLifecycle: LifecycleTable<AssetState, AssetRole> = {
  states: AssetState.options,
  initial: 'in_stock',
  roles: ['desk', 'fulfilment'],
  moves: [
    ...movesFrom<AssetState, AssetRole>(
      {
        in_stock: ['in_repair', 'retired'],
        assigned: ['in_stock', 'in_repair'],
        in_repair: ['in_stock', 'retired'],
        retired: [],
      },
      ['desk'],
    ),
    { from: 'in_stock', to: 'assigned', roles: ['desk', 'fulfilment'], requires: ['person'] },
  ],
};

/** One check-out of an asset to a person, closed by its return. */
export const AssetAssignment = z.object({
  ciId: z.string().min(1).max(64),
  person: z.email().max(254),
  checkedOutAt: z.iso.datetime(),
  checkedOutBy: ActorRef,
  note: z.string().max(1000).optional(),
  /** What the hand-over fulfils (a catalog request number, say). */
  fulfils: z.string().max(64).optional(),
  returnedAt: z.iso.datetime().optional(),
  returnedBy: ActorRef.optional(),
  returnNote: z.string().max(1000).optional(),
});
export type AssetAssignment = z.infer<typeof AssetAssignment>;

/** A model as the stock index keys it: case and spacing do not make two models. */
export const modelKey = (model: string): string => model.trim().toLowerCase().replace(/\s+/g, ' ');
