import type { CatalogItem } from '../../../functions/core/catalog/catalog.ts';
import type { FieldType, FormField } from '../../../functions/core/catalog/form.ts';

/** What the item editor writes: an item without its version and times. */
export type ItemDraft = Omit<CatalogItem, 'version' | 'updatedBy' | 'createdAt' | 'updatedAt'>;

/**
 * The item editor's working copy: an item as the editor's inputs hold it (options one per line
 * as `value = label`, condition values and groups comma-separated, automation input as
 * `key = value` lines), and the conversions both ways. The server checks what is saved (400
 * naming each field); these only translate, so nothing typed is dropped: an unparsable line is
 * kept as a value for the server to name.
 */
export interface FieldDraft {
  id: string;
  label: string;
  type: FieldType;
  required: boolean;
  help: string;
  options: string;
  showField: string;
  showValues: string;
}
export interface TaskDraft {
  title: string;
  group: string;
  instructions: string;
  hook: string;
  hookInput: string;
}
export interface ItemDraftState {
  id: string;
  name: string;
  description: string;
  icon: ItemDraft['icon'];
  category: string;
  orderGroups: string;
  costAmount: string;
  costCurrency: string;
  active: boolean;
  policy: ItemDraft['approval']['policy'];
  approvalGroup: string;
  costAbove: string;
  costGroup: string;
  fields: FieldDraft[];
  stages: TaskDraft[][];
}

const list = (text: string) =>
  text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
const lines = (text: string) =>
  text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
const pair = (line: string): [string, string] => {
  const at = line.indexOf('=');
  return at < 0 ? [line, line] : [line.slice(0, at).trim(), line.slice(at + 1).trim()];
};
const choosing = (type: FieldType) => type === 'choice' || type === 'multi_choice';

export const emptyField = (): FieldDraft => ({
  id: '',
  label: '',
  type: 'text',
  required: false,
  help: '',
  options: '',
  showField: '',
  showValues: '',
});
export const emptyTask = (): TaskDraft => ({
  title: '',
  group: '',
  instructions: '',
  hook: '',
  hookInput: '',
});

export function newDraft(category = ''): ItemDraftState {
  return {
    id: '',
    name: '',
    description: '',
    icon: 'box',
    category,
    orderGroups: '',
    costAmount: '',
    costCurrency: 'EUR',
    active: true,
    policy: 'none',
    approvalGroup: '',
    costAbove: '',
    costGroup: '',
    fields: [],
    stages: [[emptyTask()]],
  };
}

export function draftOf(item: ItemDraft): ItemDraftState {
  return {
    id: item.id,
    name: item.name,
    description: item.description,
    icon: item.icon,
    category: item.category,
    orderGroups: item.orderGroups.join(', '),
    costAmount: item.cost ? String(item.cost.amount) : '',
    costCurrency: item.cost?.currency ?? 'EUR',
    active: item.active,
    policy: item.approval.policy,
    approvalGroup: item.approval.group ?? '',
    costAbove: item.approval.costThreshold ? String(item.approval.costThreshold.above) : '',
    costGroup: item.approval.costThreshold?.group ?? '',
    fields: item.form.map((field) => ({
      id: field.id,
      label: field.label,
      type: field.type,
      required: field.required,
      help: field.help ?? '',
      options: (field.options ?? []).map((o) => `${o.value} = ${o.label}`).join('\n'),
      showField: field.showWhen?.field ?? '',
      showValues: (field.showWhen?.in ?? []).map(String).join(', '),
    })),
    stages: item.plan.stages.map((stage) =>
      stage.tasks.map((task) => ({
        title: task.title,
        group: task.group,
        instructions: task.instructions,
        hook: task.automation?.hook ?? '',
        hookInput: Object.entries(task.automation?.input ?? {})
          .map(([key, value]) => `${key} = ${String(value)}`)
          .join('\n'),
      })),
    ),
  };
}

/** A condition's values as typed: `true` / `false` for a yes/no field, text otherwise. */
function conditionValues(draft: ItemDraftState, field: FieldDraft): (string | boolean)[] {
  const other = draft.fields.find((f) => f.id === field.showField);
  return list(field.showValues).map((value) =>
    other?.type === 'yes_no' && (value === 'true' || value === 'false') ? value === 'true' : value,
  );
}

export function formOf(draft: ItemDraftState): FormField[] {
  return draft.fields.map((field) => {
    const values = conditionValues(draft, field);
    return {
      id: field.id.trim(),
      label: field.label.trim(),
      type: field.type,
      required: field.required,
      ...(field.help.trim() ? { help: field.help.trim() } : {}),
      ...(choosing(field.type)
        ? { options: lines(field.options).map((line) => ({ value: pair(line)[0], label: pair(line)[1] })) }
        : {}),
      ...(field.showField
        ? { showWhen: { field: field.showField, ...(values.length ? { in: values } : {}) } }
        : {}),
    };
  });
}

export function itemOf(draft: ItemDraftState): ItemDraft {
  const amount = draft.costAmount.trim();
  const above = draft.costAbove.trim();
  return {
    id: draft.id.trim(),
    name: draft.name.trim(),
    description: draft.description,
    icon: draft.icon,
    category: draft.category,
    orderGroups: list(draft.orderGroups),
    ...(amount ? { cost: { amount: Number(amount), currency: draft.costCurrency.trim() } } : {}),
    form: formOf(draft),
    approval: {
      policy: draft.policy,
      ...(draft.policy === 'group' ? { group: draft.approvalGroup.trim() } : {}),
      ...(above ? { costThreshold: { above: Number(above), group: draft.costGroup.trim() } } : {}),
    },
    plan: {
      stages: draft.stages.map((tasks) => ({
        tasks: tasks.map((task) => ({
          title: task.title.trim(),
          group: task.group.trim(),
          instructions: task.instructions,
          ...(task.hook.trim()
            ? {
                automation: {
                  hook: task.hook.trim(),
                  input: Object.fromEntries(lines(task.hookInput).map(pair)),
                },
              }
            : {}),
        })),
      })),
    },
    active: draft.active,
  };
}
