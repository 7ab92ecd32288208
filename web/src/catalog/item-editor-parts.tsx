import type { ReactNode } from 'react';
import type { FieldType } from './catalog-api.ts';
import { emptyField, emptyTask, type FieldDraft, type ItemDraftState, type TaskDraft } from './item-draft.ts';

/**
 * The item editor's form builder (fields: type, required, help, options, the condition that
 * shows them) and plan editor (stages of tasks, each for a group, optionally automated). Every
 * input is labelled with the field or task it belongs to, so a screen reader user knows which
 * of the repeated inputs they are in.
 */
const fieldTypes: readonly [FieldType, string][] = [
  ['text', 'Text'],
  ['long_text', 'Long text'],
  ['choice', 'Choice'],
  ['multi_choice', 'Multiple choice'],
  ['date', 'Date'],
  ['person', 'Person (e-mail)'],
  ['asset', 'Asset or configuration item'],
  ['yes_no', 'Yes / no'],
  ['attachment', 'Attachment'],
];

type Update = (change: (draft: ItemDraftState) => ItemDraftState) => void;

export function Input(props: {
  id: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  help?: string;
  multiline?: boolean;
  type?: 'text' | 'number';
  error?: string | undefined;
}) {
  const { id, label, value, onChange, help, multiline, type = 'text', error } = props;
  const describedBy =
    [help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    value,
    'aria-describedby': describedBy,
    'aria-invalid': error ? true : undefined,
    onChange: (e: { currentTarget: { value: string } }) => onChange(e.currentTarget.value),
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {help && (
        <p className="hint" id={`${id}-help`}>
          {help}
        </p>
      )}
      {multiline ? <textarea rows={3} {...common} /> : <input type={type} {...common} />}
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}

function Fieldset({ legend, children }: { legend: string; children: ReactNode }) {
  return (
    <fieldset className="editor-block">
      <legend>{legend}</legend>
      {children}
    </fieldset>
  );
}

const moved = <T,>(all: readonly T[], from: number, to: number): T[] => {
  const next = [...all];
  const [taken] = next.splice(from, 1);
  if (taken !== undefined) next.splice(to, 0, taken);
  return next;
};

export function FormBuilder({
  id,
  draft,
  update,
  errors,
}: {
  id: string;
  draft: ItemDraftState;
  update: Update;
  errors: Record<string, string>;
}) {
  const setField = (index: number, change: Partial<FieldDraft>) =>
    update((d) => ({ ...d, fields: d.fields.map((f, i) => (i === index ? { ...f, ...change } : f)) }));
  return (
    <>
      {draft.fields.map((field, index) => {
        const name = field.label || `field ${index + 1}`;
        const at = `${id}-field-${index}`;
        const error = (key: string) => errors[`form[${index}].${key}`];
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: fields are edited in place; their id is being typed
          <Fieldset key={index} legend={`Field ${index + 1}: ${name}`}>
            <Input
              id={`${at}-label`}
              label={`Label of ${name}`}
              value={field.label}
              error={error('label')}
              onChange={(label) => setField(index, { label })}
            />
            <Input
              id={`${at}-id`}
              label={`Id of ${name}`}
              help="Lower-case letters, digits and _; answers are stored under it."
              value={field.id}
              error={error('id')}
              onChange={(value) => setField(index, { id: value })}
            />
            <div className="field">
              <label htmlFor={`${at}-type`}>Type of {name}</label>
              <select
                id={`${at}-type`}
                value={field.type}
                onChange={(e) => setField(index, { type: e.currentTarget.value as FieldType })}
              >
                {fieldTypes.map(([value, label]) => (
                  <option key={value} value={value}>
                    {label}
                  </option>
                ))}
              </select>
            </div>
            <label className="checkbox-field">
              <input
                type="checkbox"
                checked={field.required}
                onChange={(e) => setField(index, { required: e.currentTarget.checked })}
              />
              {name} is required
            </label>
            <Input
              id={`${at}-help`}
              label={`Help text of ${name}`}
              value={field.help}
              onChange={(help) => setField(index, { help })}
            />
            {(field.type === 'choice' || field.type === 'multi_choice') && (
              <Input
                id={`${at}-options`}
                label={`Options of ${name}`}
                help="One per line: value = label."
                multiline
                value={field.options}
                error={error('options')}
                onChange={(options) => setField(index, { options })}
              />
            )}
            <div className="field">
              <label htmlFor={`${at}-show`}>Show {name} only when</label>
              <select
                id={`${at}-show`}
                value={field.showField}
                onChange={(e) => setField(index, { showField: e.currentTarget.value })}
              >
                <option value="">Always shown</option>
                {draft.fields.slice(0, index).map((other) => (
                  <option key={other.id} value={other.id}>
                    {other.label || other.id} is answered
                  </option>
                ))}
              </select>
            </div>
            {field.showField && (
              <Input
                id={`${at}-values`}
                label={`…with one of these answers (${name})`}
                help="Comma-separated; true or false for a yes/no field; empty: any answer."
                value={field.showValues}
                onChange={(showValues) => setField(index, { showValues })}
              />
            )}
            <div className="form-actions">
              <button
                type="button"
                className="button secondary"
                disabled={index === 0}
                onClick={() => update((d) => ({ ...d, fields: moved(d.fields, index, index - 1) }))}
              >
                Move {name} up
              </button>
              <button
                type="button"
                className="button secondary"
                onClick={() => update((d) => ({ ...d, fields: d.fields.filter((_, i) => i !== index) }))}
              >
                Remove {name}
              </button>
            </div>
          </Fieldset>
        );
      })}
      <button
        type="button"
        className="button secondary"
        onClick={() => update((d) => ({ ...d, fields: [...d.fields, emptyField()] }))}
      >
        Add a field
      </button>
    </>
  );
}

export function PlanEditor({ id, draft, update }: { id: string; draft: ItemDraftState; update: Update }) {
  const setTask = (stage: number, index: number, change: Partial<TaskDraft>) =>
    update((d) => ({
      ...d,
      stages: d.stages.map((tasks, s) =>
        s === stage ? tasks.map((t, i) => (i === index ? { ...t, ...change } : t)) : tasks,
      ),
    }));
  return (
    <>
      {draft.stages.map((tasks, stage) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: stages have no identity but their place
        <Fieldset key={stage} legend={`Stage ${stage + 1} (its tasks run at the same time)`}>
          {tasks.map((task, index) => {
            const name = `task ${stage + 1}.${index + 1}`;
            const at = `${id}-task-${stage}-${index}`;
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: tasks have no identity but their place
              <div key={index} className="editor-task">
                <Input
                  id={`${at}-title`}
                  label={`Title of ${name}`}
                  value={task.title}
                  onChange={(title) => setTask(stage, index, { title })}
                />
                <Input
                  id={`${at}-group`}
                  label={`Group of ${name}`}
                  value={task.group}
                  onChange={(group) => setTask(stage, index, { group })}
                />
                <Input
                  id={`${at}-instructions`}
                  label={`Instructions of ${name}`}
                  multiline
                  value={task.instructions}
                  onChange={(instructions) => setTask(stage, index, { instructions })}
                />
                <Input
                  id={`${at}-hook`}
                  label={`Automation hook of ${name}`}
                  help="Optional: a configured hook that does the task; a person takes over when it fails."
                  value={task.hook}
                  onChange={(hook) => setTask(stage, index, { hook })}
                />
                {task.hook && (
                  <Input
                    id={`${at}-input`}
                    label={`Hook input of ${name}`}
                    help="One per line: key = value."
                    multiline
                    value={task.hookInput}
                    onChange={(hookInput) => setTask(stage, index, { hookInput })}
                  />
                )}
                <button
                  type="button"
                  className="button secondary"
                  onClick={() =>
                    update((d) => ({
                      ...d,
                      stages: d.stages
                        .map((ts, s) => (s === stage ? ts.filter((_, i) => i !== index) : ts))
                        .filter((ts) => ts.length > 0),
                    }))
                  }
                >
                  Remove {name}
                </button>
              </div>
            );
          })}
          <button
            type="button"
            className="button secondary"
            onClick={() =>
              update((d) => ({
                ...d,
                stages: d.stages.map((ts, s) => (s === stage ? [...ts, emptyTask()] : ts)),
              }))
            }
          >
            Add a task to stage {stage + 1}
          </button>
        </Fieldset>
      ))}
      <button
        type="button"
        className="button secondary"
        onClick={() => update((d) => ({ ...d, stages: [...d.stages, [emptyTask()]] }))}
      >
        Add a stage
      </button>
    </>
  );
}
