import { describe, expect, it } from 'vitest';
import { assetLifecycle, modelKey } from '#core/cmdb/asset.ts';
import {
  allowedMoves,
  isFinalState,
  mayMove,
  reachableStates,
  requiredFields,
} from '#core/record/lifecycle.ts';

/** The asset moves as the lifecycle table states them (the services and the portal read the same table). */
describe('the asset lifecycle', () => {
  it('reaches every state from stock, and retired is final', () => {
    expect([...reachableStates(assetLifecycle)].sort()).toEqual([
      'assigned',
      'in_repair',
      'in_stock',
      'retired',
    ]);
    expect(isFinalState(assetLifecycle, 'retired')).toBe(true);
    expect(isFinalState(assetLifecycle, 'in_repair')).toBe(false);
  });

  it('never retires an assigned asset (it is returned first) and checks out only from stock, naming the person', () => {
    expect(mayMove(assetLifecycle, 'assigned', 'retired', 'desk')).toBe(false);
    expect(allowedMoves(assetLifecycle, 'assigned', 'desk').sort()).toEqual(['in_repair', 'in_stock']);
    expect(mayMove(assetLifecycle, 'in_repair', 'assigned', 'desk')).toBe(false);
    expect(requiredFields(assetLifecycle, 'in_stock', 'assigned')).toEqual(['person']);
  });

  it('lets fulfilment do nothing but check out from stock', () => {
    for (const from of assetLifecycle.states)
      expect(allowedMoves(assetLifecycle, from, 'fulfilment'), from).toEqual(
        from === 'in_stock' ? ['assigned'] : [],
      );
  });

  it('keys models without case or extra spaces', () => {
    expect(modelKey('  ThinkPad   X1  Carbon ')).toBe(modelKey('thinkpad x1 carbon'));
    expect(modelKey('ThinkPad X1')).not.toBe(modelKey('ThinkPad X1 Carbon'));
  });
});
