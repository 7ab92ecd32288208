import type { AnswerValue, FormField } from './catalog-api.ts';

/**
 * One field of an order form, rendered from its definition: its label with the required mark,
 * its help and its error tied to the input (aria-describedby), choices as a select, yes/no and
 * multi-choice as a fieldset. The order page and the item editor's live preview both use it.
 */
export function Field(props: {
  id: string;
  field: FormField;
  value: AnswerValue | undefined;
  error: string | undefined;
  onChange: (value: AnswerValue | undefined) => void;
}) {
  const { id, field, value, error, onChange } = props;
  const describedBy =
    [field.help ? `${id}-help` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: field.id,
    'aria-invalid': error ? true : undefined,
    'aria-describedby': describedBy,
    required: field.required,
  };
  const label = (
    <>
      {field.label} {field.required && <span className="required">(required)</span>}
    </>
  );
  const help = field.help && (
    <p className="hint" id={`${id}-help`}>
      {field.help}
    </p>
  );
  const problem = error && (
    <p className="field-error" id={`${id}-error`}>
      {error}
    </p>
  );
  if (field.type === 'multi_choice' || field.type === 'yes_no') {
    const chosen = Array.isArray(value) ? value : [];
    return (
      <fieldset
        className="field choice-list"
        aria-describedby={describedBy}
        aria-invalid={error ? true : undefined}
      >
        <legend>{label}</legend>
        {help}
        {field.type === 'yes_no'
          ? (['yes', 'no'] as const).map((answer) => (
              <label key={answer} className="checkbox-field">
                <input
                  type="radio"
                  name={field.id}
                  id={answer === 'yes' ? id : undefined}
                  checked={value === (answer === 'yes')}
                  onChange={() => onChange(answer === 'yes')}
                />
                {answer === 'yes' ? 'Yes' : 'No'}
              </label>
            ))
          : field.options?.map((option, i) => (
              <label key={option.value} className="checkbox-field">
                <input
                  type="checkbox"
                  id={i === 0 ? id : undefined}
                  checked={chosen.includes(option.value)}
                  onChange={(e) =>
                    onChange(
                      e.currentTarget.checked
                        ? [...chosen, option.value]
                        : chosen.filter((v) => v !== option.value),
                    )
                  }
                />
                {option.label}
              </label>
            ))}
        {problem}
      </fieldset>
    );
  }
  const text = typeof value === 'string' ? value : '';
  const input = () => {
    switch (field.type) {
      case 'long_text':
        return (
          <textarea {...common} rows={4} value={text} onChange={(e) => onChange(e.currentTarget.value)} />
        );
      case 'choice':
        return (
          <select {...common} value={text} onChange={(e) => onChange(e.currentTarget.value)}>
            <option value="">Choose…</option>
            {field.options?.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        );
      default:
        return (
          <input
            {...common}
            type={field.type === 'date' ? 'date' : field.type === 'person' ? 'email' : 'text'}
            autoComplete="off"
            value={text}
            onChange={(e) => onChange(e.currentTarget.value)}
          />
        );
    }
  };
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {help}
      {input()}
      {problem}
    </div>
  );
}
