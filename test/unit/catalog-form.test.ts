import { describe, expect, it } from 'vitest';
import type { CatalogItem } from '#core/catalog/catalog.ts';
import { checkAnswers, FormDefinition, visibleFields } from '#core/catalog/form.ts';
import { expandPlan } from '#core/catalog/request.ts';

type FulfilmentPlanLike = Pick<CatalogItem, 'name' | 'plan'>;

const form = FormDefinition.parse([
  {
    id: 'model',
    label: 'Model',
    type: 'choice',
    required: true,
    options: [
      { value: 'iphone', label: 'iPhone' },
      { value: 'pixel', label: 'Pixel' },
    ],
  },
  { id: 'replacement', label: 'Replaces a phone?', type: 'yes_no', required: true },
  {
    id: 'old_asset',
    label: 'Old phone',
    type: 'asset',
    required: true,
    showWhen: { field: 'replacement', in: [true] },
  },
  {
    id: 'extras',
    label: 'Extras',
    type: 'multi_choice',
    options: [
      { value: 'case', label: 'Case' },
      { value: 'charger', label: 'Charger' },
    ],
  },
  { id: 'needed_by', label: 'Needed by', type: 'date' },
  { id: 'for_whom', label: 'For', type: 'person' },
  { id: 'reason', label: 'Why', type: 'long_text', maxLength: 20 },
  { id: 'note', label: 'Note', type: 'text' },
  { id: 'quote', label: 'Quote', type: 'attachment' },
]);

describe('order form validation', () => {
  it('accepts answers of every field type and stores them normalized', () => {
    const { answers, problems } = checkAnswers(form, {
      model: 'pixel',
      replacement: true,
      old_asset: 'CI-PHONE-0042',
      extras: ['case', 'charger'],
      needed_by: '2027-02-28',
      for_whom: ' Emma.Employee@Example.com ',
      reason: '  cracked screen ',
      note: 'desk 4',
      quote: '01JATTACHMENT',
    });

    expect(problems).toEqual([]);
    expect(answers).toMatchObject({
      for_whom: 'emma.employee@example.com',
      reason: 'cracked screen',
      replacement: true,
    });
  });

  it('names each field that does not fit, with its reason', () => {
    const { problems } = checkAnswers(
      form,
      {
        model: 'nokia',
        replacement: 'yes',
        extras: ['case', 'case'],
        needed_by: '2027-02-30',
        for_whom: 'not-an-address',
        reason: 'x'.repeat(21),
        note: 'two\nlines',
        quote: '../etc/passwd',
      },
      'items[0].answers',
    );

    expect(Object.fromEntries(problems.map((p) => [p.path, p.message]))).toEqual({
      'items[0].answers.model': 'must be one of iphone, pixel',
      'items[0].answers.replacement': 'must be true or false',
      'items[0].answers.extras': 'names a choice twice',
      'items[0].answers.needed_by': 'is not a calendar date',
      'items[0].answers.for_whom': "must be a person's e-mail address",
      'items[0].answers.reason': 'must be at most 20 characters',
      'items[0].answers.note': 'must be one line',
      'items[0].answers.quote': 'must be an attachment id',
    });
  });

  it('shows a field only when its condition holds, requires it then, and refuses an answer to a hidden one', () => {
    expect(visibleFields(form, { replacement: false }).map((f) => f.id)).not.toContain('old_asset');
    expect(checkAnswers(form, { model: 'iphone', replacement: true }).problems).toEqual([
      { path: 'answers.old_asset', message: 'is required' },
    ]);
    expect(checkAnswers(form, { model: 'iphone', replacement: false, old_asset: 'CI-1' }).problems).toEqual([
      { path: 'answers.old_asset', message: 'is not shown for these answers; leave it out' },
    ]);
  });

  it('refuses an answer to a field the form does not have, and a missing required one', () => {
    expect(checkAnswers(form, { replacement: false, colour: 'red' }).problems).toEqual([
      { path: 'answers.colour', message: 'is not a field of this form' },
      { path: 'answers.model', message: 'is required' },
    ]);
  });

  it('refuses forms an editor got wrong: duplicate ids, choices without options, conditions on later fields', () => {
    const result = FormDefinition.safeParse([
      { id: 'a', label: 'A', type: 'choice' },
      { id: 'a', label: 'A again', type: 'text', options: [{ value: 'x', label: 'X' }] },
      { id: 'b', label: 'B', type: 'text', showWhen: { field: 'c' } },
      { id: 'c', label: 'C', type: 'text' },
    ]);

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`)).toEqual([
      '0.options: a choice field needs options',
      '1.id: a is used twice',
      '1.options: a text field has no options',
      '2.showWhen.field: names c, which is not a field before this one',
    ]);
  });
});

describe('fulfilment plan expansion', () => {
  const phone: FulfilmentPlanLike = {
    name: 'Mobile phone',
    plan: {
      stages: [
        {
          tasks: [
            { title: 'Pick a phone', group: 'mobile', instructions: '' },
            { title: 'Order SIM', group: 'telecom', instructions: '' },
          ],
        },
        { tasks: [{ title: 'Hand over', group: 'service-desk', instructions: '' }] },
      ],
    },
  };
  const laptop: FulfilmentPlanLike = {
    name: 'Laptop',
    plan: { stages: [{ tasks: [{ title: 'Image laptop', group: 'workplace', instructions: '' }] }] },
  };

  it('runs stage n of every item together, tasks of a stage in parallel, numbered stage.task', () => {
    const stages = expandPlan([
      { item: phone, quantity: 1 },
      { item: laptop, quantity: 2 },
    ]);

    expect(stages.map((tasks) => tasks.map((t) => `${t.step} ${t.title} [${t.group}]`))).toEqual([
      [
        '1.1 Pick a phone [mobile]',
        '1.2 Order SIM [telecom]',
        '1.3 Image laptop (1 of 2) [workplace]',
        '1.4 Image laptop (2 of 2) [workplace]',
      ],
      ['2.1 Hand over [service-desk]'],
    ]);
  });
});
