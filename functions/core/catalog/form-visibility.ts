/**
 * Which fields of an order form are shown for some answers: the rule the server validates by
 * and the portal renders by. Free of zod, so the portal imports it without the schemas.
 */
export interface VisibilityField {
  readonly id: string;
  readonly showWhen?:
    | { readonly field: string; readonly in?: readonly (string | boolean)[] | undefined }
    | undefined;
}

const answered = (value: unknown) =>
  value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0);

/** The fields shown, in order: a field shows when its condition holds on a shown field's answer. */
export function visibleFields<F extends VisibilityField>(
  form: readonly F[],
  answers: Readonly<Record<string, unknown>>,
): F[] {
  const shown = new Set<string>();
  const visible: F[] = [];
  for (const field of form) {
    const when = field.showWhen;
    const value = when ? answers[when.field] : undefined;
    const ok =
      !when ||
      (shown.has(when.field) &&
        answered(value) &&
        (!when.in ||
          when.in.some((wanted) =>
            Array.isArray(value) ? value.includes(String(wanted)) : wanted === value,
          )));
    if (ok) {
      shown.add(field.id);
      visible.push(field);
    }
  }
  return visible;
}
