import { type FormEvent, type Ref, useCallback, useId, useImperativeHandle, useRef, useState } from 'react';
import { ArticlePicker } from '../../knowledge/article-picker.tsx';
import { ApiError, SessionExpiredError } from '../../shared/api.ts';
import { ErrorNotice, Notice } from '../../shared/components.tsx';
import { usePortal } from '../../shared/portal-context.ts';
import type { Article, Ticket } from '../../shared/types.ts';
import { Responses } from './responses.tsx';

export type Mode = 'reply' | 'note';

/**
 * Writes either a public reply or an internal note, never something in between: the mode is
 * chosen explicitly, the whole box changes colour and wording with it, the button says who
 * will read it, and the confirmation repeats it.
 */
export function Composer(props: {
  ref: Ref<{ start: (mode: Mode) => void }>;
  ticket: Ticket;
  onAdded: (result: { ticket: Ticket; article?: Article }) => void;
  onConflict: () => void;
}) {
  const { ticket, onAdded } = props;
  const { api } = usePortal();
  const id = useId();
  const [mode, setMode] = useState<Mode>('reply');
  const [body, setBody] = useState('');
  const [sending, setSending] = useState(false);
  const [error, setError] = useState<string>();
  const [confirmation, setConfirmation] = useState<string>();
  const textarea = useRef<HTMLTextAreaElement>(null);
  const requester = ticket.requester.name ?? ticket.requester.email;

  const start = useCallback((next: Mode) => {
    setMode(next);
    setConfirmation(undefined);
    textarea.current?.focus();
    textarea.current?.scrollIntoView({ block: 'center' });
  }, []);
  useImperativeHandle(props.ref, () => ({ start }), [start]);

  async function send(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (!body.trim()) {
      setError(mode === 'reply' ? 'Write the reply first.' : 'Write the note first.');
      textarea.current?.focus();
      return;
    }
    setSending(true);
    setError(undefined);
    setConfirmation(undefined);
    try {
      const result = await api.addArticle(ticket.id, mode, body.trim());
      setBody('');
      setConfirmation(
        mode === 'reply'
          ? `Public reply sent. ${requester} sees it in the portal and gets it by mail.`
          : 'Internal note added. Only agents see it.',
      );
      onAdded(result);
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return;
      setError(failure instanceof ApiError ? failure.message : 'It could not be saved. Try again.');
    } finally {
      setSending(false);
    }
  }

  const reply = mode === 'reply';
  const insertText = (text: string) => {
    setBody((written) => (written.trim() ? `${written.trimEnd()}\n\n${text}` : text));
    textarea.current?.focus();
  };
  return (
    <form className={`composer composer-${mode}`} onSubmit={send} aria-labelledby={`${id}-heading`}>
      <h2 id={`${id}-heading`}>Add to the conversation</h2>
      <fieldset className="composer-mode">
        <legend>Write a</legend>
        <label>
          <input
            type="radio"
            name="mode"
            checked={reply}
            onChange={() => setMode('reply')}
            aria-keyshortcuts="r"
          />
          Public reply
        </label>
        <label>
          <input
            type="radio"
            name="mode"
            checked={!reply}
            onChange={() => setMode('note')}
            aria-keyshortcuts="n"
          />
          Internal note
        </label>
      </fieldset>
      <p className="composer-audience" id={`${id}-audience`}>
        {reply ? (
          <>
            <strong>Public reply</strong>: {requester} and the watchers see this and get it by mail.
          </>
        ) : (
          <>
            <strong>Internal note</strong>: only agents see this. It is never shown or mailed to the
            requester.
          </>
        )}
      </p>
      <div className="field">
        <label htmlFor={`${id}-body`}>
          {reply ? `Reply to ${requester}` : 'Internal note (agents only)'}
        </label>
        <textarea
          ref={textarea}
          id={`${id}-body`}
          rows={5}
          value={body}
          onChange={(e) => setBody(e.currentTarget.value)}
          aria-describedby={`${id}-audience`}
        />
      </div>
      <ArticlePicker reply={reply} onInsert={insertText} />
      <Responses
        ticket={ticket}
        body={body}
        onInsert={insertText}
        onApplied={onAdded}
        onConflict={props.onConflict}
      />
      {error && <ErrorNotice message={error} />}
      {confirmation && <Notice tone="success">{confirmation}</Notice>}
      <div className="form-actions">
        <button type="submit" className={reply ? 'button' : 'button button-note'} disabled={sending}>
          {sending ? 'Saving…' : reply ? `Send public reply to ${requester}` : 'Add internal note'}
        </button>
      </div>
    </form>
  );
}
