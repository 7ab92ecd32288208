import * as z from 'zod';
import type { FieldProblem } from '../shared/errors.ts';
import { visibleFields } from './form-visibility.ts';

export { visibleFields };

/**
 * A catalog item's order form, defined as data: the fields, their types, which are required,
 * their help text and the conditions that show or hide them. The portal renders a form from
 * it and the server validates every submission against the very version the request was
 * ordered under, naming each field that does not fit (400).
 */
export const FieldType = z.enum([
  'text',
  'long_text',
  'choice',
  'multi_choice',
  'date',
  'person',
  'asset',
  'yes_no',
  'attachment',
]);
export type FieldType = z.infer<typeof FieldType>;

const FieldId = z
  .string()
  .min(1)
  .max(40)
  .regex(/^[a-z][a-z0-9_]*$/, 'lower-case letters, digits and _ , starting with a letter');

export const FieldOption = z.object({
  value: z.string().trim().min(1).max(64),
  label: z.string().trim().min(1).max(120),
});
export type FieldOption = z.infer<typeof FieldOption>;

/**
 * When a field is shown: another field's answer equals one of `in` (a choice, a yes/no given as
 * `true`/`false`), or — with `in` omitted — the other field is answered at all.
 */
export const ShowWhen = z.object({
  field: FieldId,
  in: z
    .array(z.union([z.string().max(64), z.boolean()]))
    .min(1)
    .max(20)
    .optional(),
});
export type ShowWhen = z.infer<typeof ShowWhen>;

export const FormField = z.object({
  id: FieldId,
  label: z.string().trim().min(1).max(120),
  type: FieldType,
  required: z.boolean().default(false),
  help: z.string().max(500).optional(),
  /** The choices of a choice or multi-choice field. */
  options: z.array(FieldOption).max(50).optional(),
  /** Longest text accepted. @default 200 for text, 4000 for long text */
  maxLength: z.number().int().min(1).max(10_000).optional(),
  showWhen: ShowWhen.optional(),
});
export type FormField = z.infer<typeof FormField>;

/** A whole form: its fields in order, checked for the mistakes an editor can make. */
export const FormDefinition = z
  .array(FormField)
  .max(40)
  .superRefine((fields, ctx) => {
    const seen = new Map<string, FormField>();
    fields.forEach((field, i) => {
      if (seen.has(field.id))
        ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `${field.id} is used twice` });
      const choosing = field.type === 'choice' || field.type === 'multi_choice';
      if (choosing && !field.options?.length)
        ctx.addIssue({
          code: 'custom',
          path: [i, 'options'],
          message: `a ${field.type} field needs options`,
        });
      if (!choosing && field.options)
        ctx.addIssue({
          code: 'custom',
          path: [i, 'options'],
          message: `a ${field.type} field has no options`,
        });
      if (field.showWhen) {
        const other = seen.get(field.showWhen.field);
        if (!other)
          ctx.addIssue({
            code: 'custom',
            path: [i, 'showWhen', 'field'],
            message: `names ${field.showWhen.field}, which is not a field before this one`,
          });
      }
      seen.set(field.id, field);
    });
  });
export type FormDefinition = z.infer<typeof FormDefinition>;

export type AnswerValue = string | boolean | readonly string[];
export type Answers = Readonly<Record<string, AnswerValue>>;

const answered = (value: AnswerValue | undefined) =>
  value !== undefined && value !== '' && !(Array.isArray(value) && value.length === 0);

const EMAIL = z.email().max(254);
const DATE = /^\d{4}-\d{2}-\d{2}$/;
const REF = /^[\p{L}\p{N}][\p{L}\p{N} ._:/#-]{0,127}$/u;

/** What is wrong with one answer to one field, or undefined when it fits. */
function problemWith(field: FormField, value: unknown): string | undefined {
  const options = new Set((field.options ?? []).map((o) => o.value));
  switch (field.type) {
    case 'text':
    case 'long_text': {
      if (typeof value !== 'string') return 'must be text';
      const max = field.maxLength ?? (field.type === 'text' ? 200 : 4000);
      if (value.length > max) return `must be at most ${max} characters`;
      if (field.type === 'text' && /[\r\n]/.test(value)) return 'must be one line';
      return undefined;
    }
    case 'choice':
      return typeof value === 'string' && options.has(value)
        ? undefined
        : `must be one of ${[...options].join(', ')}`;
    case 'multi_choice': {
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string'))
        return 'must be a list of choices';
      const unknown = value.filter((v) => !options.has(v));
      if (unknown.length > 0) return `has ${unknown.join(', ')}, not among ${[...options].join(', ')}`;
      if (new Set(value).size !== value.length) return 'names a choice twice';
      return undefined;
    }
    case 'date': {
      if (typeof value !== 'string' || !DATE.test(value)) return 'must be a date (YYYY-MM-DD)';
      const date = new Date(`${value}T00:00:00Z`);
      return Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== value
        ? 'is not a calendar date'
        : undefined;
    }
    case 'person':
      return typeof value === 'string' && EMAIL.safeParse(value.trim()).success
        ? undefined
        : "must be a person's e-mail address";
    case 'asset':
    case 'attachment':
      return typeof value === 'string' && REF.test(value)
        ? undefined
        : `must be ${field.type === 'asset' ? 'a configuration item or asset id' : 'an attachment id'}`;
    case 'yes_no':
      return typeof value === 'boolean' ? undefined : 'must be true or false';
  }
}

/**
 * Checks answers against a form: every shown required field answered, every answer of the
 * right type, and no answer to a field the form does not have or does not show for these
 * answers (nothing accepted is ever dropped silently). Returns the answers as stored (text
 * trimmed, person addresses lower-cased) or every problem, each naming its field under
 * `prefix`.
 */
export function checkAnswers(
  form: FormDefinition,
  raw: unknown,
  prefix = 'answers',
): { answers: Record<string, AnswerValue>; problems: FieldProblem[] } {
  const problems: FieldProblem[] = [];
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return { answers: {}, problems: [{ path: prefix, message: 'must be an object of field → answer' }] };
  const given = raw as Record<string, unknown>;
  const known = new Set(form.map((f) => f.id));
  const visible = visibleFields(form, given);
  const shown = new Set(visible.map((f) => f.id));
  const answers: Record<string, AnswerValue> = {};
  for (const key of Object.keys(given)) {
    if (!known.has(key)) problems.push({ path: `${prefix}.${key}`, message: 'is not a field of this form' });
    else if (!shown.has(key) && answered(given[key] as AnswerValue))
      problems.push({ path: `${prefix}.${key}`, message: 'is not shown for these answers; leave it out' });
  }
  for (const field of visible) {
    const value = given[field.id];
    if (!answered(value as AnswerValue | undefined)) {
      if (field.required) problems.push({ path: `${prefix}.${field.id}`, message: 'is required' });
      continue;
    }
    const problem = problemWith(field, value);
    if (problem) {
      problems.push({ path: `${prefix}.${field.id}`, message: problem });
      continue;
    }
    answers[field.id] =
      typeof value === 'string'
        ? field.type === 'person'
          ? value.trim().toLowerCase()
          : value.trim()
        : (value as AnswerValue);
  }
  return { answers, problems };
}
