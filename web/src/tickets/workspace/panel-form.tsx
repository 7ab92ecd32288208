import { type FormEvent, type ReactNode, useId, useState } from 'react';
import type { TicketChange } from '../../shared/types.ts';

/** A change to the ticket without its version: the page adds the version the agent saw. */
export type Change = Omit<TicketChange, 'version'>;

/** Sends one change; `true` when it was saved, else the message to show. */
export type ChangeFn = (patch: Change) => Promise<string | true>;

/** A side panel form: shows its own saving state, error and confirmation. */
export function PanelForm(props: {
  title: string;
  onSubmit: (form: FormData) => Change | string;
  change: ChangeFn;
  submitLabel: string;
  children: ReactNode;
}) {
  const id = useId();
  const [saving, setSaving] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const patch = props.onSubmit(new FormData(event.currentTarget));
    if (typeof patch === 'string') return setMessage({ ok: false, text: patch });
    setSaving(true);
    setMessage(undefined);
    const result = await props.change(patch);
    setSaving(false);
    setMessage(result === true ? { ok: true, text: 'Saved.' } : { ok: false, text: result });
  }
  return (
    <form className="panel" onSubmit={submit} aria-labelledby={`${id}-title`} noValidate>
      <h2 id={`${id}-title`}>{props.title}</h2>
      {props.children}
      <button type="submit" className="button button-secondary" disabled={saving}>
        {saving ? 'Saving…' : props.submitLabel}
      </button>
      {message && (
        <p className={message.ok ? 'success-text' : 'field-error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </form>
  );
}

export function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}
