import { describe, expect, it } from 'vitest';
import { CatalogItemBody } from '#core/catalog/catalog.ts';
import { demoItems } from '#local/seed-catalog.ts';
import { draftOf, formOf, itemOf, newDraft } from '../../web/src/catalog/item-draft.ts';

/** The portal's item editor translates items to its inputs and back without losing anything. */
describe('the item editor working copy', () => {
  it('turns every seeded item into inputs and back into the same item', () => {
    for (const { id, ...raw } of demoItems) {
      const item = { id, ...CatalogItemBody.parse(raw) };
      expect(itemOf(draftOf(item)), id).toEqual(item);
    }
  });

  it('reads options, yes/no conditions, groups and hook input as an admin types them', () => {
    const draft = {
      ...newDraft('devices'),
      id: 'headset',
      name: 'Headset',
      orderGroups: 'sales, support ,',
      policy: 'group' as const,
      approvalGroup: 'workplace',
      fields: [
        {
          id: 'wireless',
          label: 'Wireless',
          type: 'yes_no' as const,
          required: true,
          help: '',
          options: '',
          showField: '',
          showValues: '',
        },
        {
          id: 'model',
          label: 'Model',
          type: 'choice' as const,
          required: false,
          help: ' Pick one ',
          options: 'jabra = Jabra Evolve\n\nplain',
          showField: 'wireless',
          showValues: 'true',
        },
      ],
      stages: [
        [
          {
            title: 'Hand over',
            group: 'workplace',
            instructions: '',
            hook: 'stock',
            hookInput: 'model = headset\nsite=HQ',
          },
        ],
      ],
    };
    const item = itemOf(draft);
    expect(item.orderGroups).toEqual(['sales', 'support']);
    expect(item.approval).toEqual({ policy: 'group', group: 'workplace' });
    expect(formOf(draft)[1]).toEqual({
      id: 'model',
      label: 'Model',
      type: 'choice',
      required: false,
      help: 'Pick one',
      options: [
        { value: 'jabra', label: 'Jabra Evolve' },
        { value: 'plain', label: 'plain' },
      ],
      showWhen: { field: 'wireless', in: [true] },
    });
    expect(item.plan.stages[0]?.tasks[0]?.automation).toEqual({
      hook: 'stock',
      input: { model: 'headset', site: 'HQ' },
    });
    expect(CatalogItemBody.safeParse((({ id: _, ...body }) => body)(item)).success).toBe(true);
  });
});
