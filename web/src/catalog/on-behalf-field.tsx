/** An agent's "ordering for" field: a caller's address, or empty to order for themselves. */
export function OnBehalfField(props: {
  id: string;
  value: string;
  error: string | undefined;
  onChange: (value: string) => void;
}) {
  const { id, value, error, onChange } = props;
  const describedBy = [`${id}-help`, error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>Ordering for</label>
      <p className="hint" id={`${id}-help`}>
        The caller's e-mail address, when you order on their behalf. Leave empty to order for yourself.
      </p>
      <input
        id={id}
        type="email"
        autoComplete="off"
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={describedBy}
        onChange={(e) => onChange(e.currentTarget.value)}
      />
      {error && (
        <p className="field-error" id={`${id}-error`}>
          {error}
        </p>
      )}
    </div>
  );
}
