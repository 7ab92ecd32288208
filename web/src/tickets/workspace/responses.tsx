import { useCallback, useId, useState } from 'react';
import { fillPlaceholders, placeholderHelp } from '../../../../functions/core/desk/placeholders.ts';
import { ApiError, failureMessage } from '../../shared/api.ts';
import { holdReasonLabels, levelLabels, resolutionLabels, stateLabels } from '../../shared/format.ts';
import { usePortal } from '../../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../../shared/query-cache.ts';
import type { Article, Ticket } from '../../shared/types.ts';
import { deskApi, type MacroActions } from '../desk-api.ts';

/** Cache key of the agent's responses and macros. */
export const responsesKey = 'responses';

/** What a macro does, in words, so nobody applies one blind. */
export function describeMacro(actions: MacroActions | undefined, articleType: 'reply' | 'note'): string {
  const parts: string[] = [];
  if (actions?.state) {
    const why = actions.holdReason ?? actions.resolutionCode;
    const label = actions.holdReason
      ? holdReasonLabels[actions.holdReason]
      : actions.resolutionCode
        ? resolutionLabels[actions.resolutionCode]
        : undefined;
    parts.push(`state ${stateLabels[actions.state]}${why ? ` (${label})` : ''}`);
  }
  if (actions?.impact) parts.push(`impact ${levelLabels[actions.impact]}`);
  if (actions?.urgency) parts.push(`urgency ${levelLabels[actions.urgency]}`);
  if (actions?.assignmentGroup) parts.push(`group ${actions.assignmentGroup}`);
  if (actions?.assignToMe) parts.push('assigns it to you');
  if (actions?.addTags?.length) parts.push(`tags ${actions.addTags.join(', ')}`);
  const text =
    articleType === 'reply' ? 'adds the text as a public reply' : 'adds the text as an internal note';
  return parts.length ? `Macro: sets ${parts.join(', ')}; ${text}.` : `Response: ${text} when applied.`;
}

/**
 * Canned responses and macros, stored on the server: the agent's own and their groups'. A
 * response is inserted into the reply with its placeholders filled in; a macro is applied in
 * one step (its fields and its text, one versioned write). What is written can be saved as a
 * response of one's own or, for a group's manager, of the group.
 */
export function Responses(props: {
  ticket: Ticket;
  body: string;
  onInsert: (text: string) => void;
  onApplied: (result: { ticket: Ticket; article?: Article }) => void;
  onConflict: () => void;
}) {
  const { ticket } = props;
  const { api, session } = usePortal();
  const desk = deskApi(api);
  const invalidate = useInvalidate();
  const id = useId();
  const { load } = useQuery(
    responsesKey,
    useCallback(() => deskApi(api).listResponses(), [api]),
    'The responses could not be loaded.',
  );
  const responses = load.status === 'ready' ? load.data.items : [];
  const me = useQuery(
    'me',
    useCallback(() => api.me(), [api]),
    'Your groups could not be loaded.',
  );
  const groups = useQuery(
    'groups',
    useCallback(() => api.listGroups(), [api]),
    'The groups could not be loaded.',
  );
  const mine = me.load.status === 'ready' ? me.load.data.assignmentGroups : [];
  const groupName = (groupId: string) =>
    (groups.load.status === 'ready'
      ? groups.load.data.items.find((g) => g.id === groupId)?.name
      : undefined) ?? groupId;
  const [chosenId, setChosenId] = useState('');
  const [name, setName] = useState('');
  const [share, setShare] = useState('');
  const [busy, setBusy] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const chosen = responses.find((r) => r.id === chosenId);

  async function run(action: () => Promise<string>) {
    setBusy(true);
    setMessage(undefined);
    try {
      setMessage({ ok: true, text: await action() });
    } catch (failure) {
      if (failure instanceof ApiError && failure.status === 409) props.onConflict();
      const fields = failure instanceof ApiError ? failure.fields.map((f) => `${f.path} ${f.message}`) : [];
      setMessage({
        ok: false,
        text: [failureMessage(failure, 'It could not be done. Try again.'), ...fields].join(': '),
      });
    } finally {
      setBusy(false);
    }
  }

  const fill = (text: string) =>
    fillPlaceholders(text, ticket, {
      portalUrl: window.location.origin,
      agent: { email: session.email, name: session.name },
    });

  return (
    <details className="saved-responses">
      <summary>Responses and macros</summary>
      {load.status === 'failed' && <p className="field-error">{load.message}</p>}
      {responses.length > 0 ? (
        <>
          <div className="field">
            <label htmlFor={`${id}-pick`}>Response or macro</label>
            <select id={`${id}-pick`} value={chosenId} onChange={(e) => setChosenId(e.currentTarget.value)}>
              <option value="">Choose…</option>
              {responses.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name} ({r.scope === 'personal' ? 'mine' : groupName(r.owner)}
                  {r.actions ? ', macro' : ''})
                </option>
              ))}
            </select>
          </div>
          {chosen && (
            <>
              <p className="hint" id={`${id}-what`}>
                {describeMacro(chosen.actions, chosen.articleType)}
              </p>
              <div className="form-actions">
                <button
                  type="button"
                  className="button button-secondary"
                  onClick={() => {
                    props.onInsert(fill(chosen.body));
                    setMessage({ ok: true, text: `“${chosen.name}” inserted; check it, then send.` });
                  }}
                >
                  Insert text
                </button>
                {chosen.actions && (
                  <button
                    type="button"
                    className="button"
                    disabled={busy}
                    aria-describedby={`${id}-what`}
                    onClick={() =>
                      run(async () => {
                        const result = await desk.applyMacro(ticket.id, chosen.id, ticket.version);
                        props.onApplied(result);
                        return `Macro “${chosen.name}” applied.`;
                      })
                    }
                  >
                    Apply macro
                  </button>
                )}
                {chosen.editable && (
                  <button
                    type="button"
                    className="link-button"
                    disabled={busy}
                    onClick={() =>
                      run(async () => {
                        await desk.deleteResponse(chosen.id, chosen.version);
                        setChosenId('');
                        invalidate(responsesKey);
                        return `“${chosen.name}” deleted.`;
                      })
                    }
                  >
                    Delete “{chosen.name}”
                  </button>
                )}
              </div>
            </>
          )}
        </>
      ) : (
        load.status === 'ready' && (
          <p className="muted">None yet: write a reply, then save it here under a name.</p>
        )
      )}
      <div className="field">
        <label htmlFor={`${id}-name`}>Save what is written as</label>
        <p className="hint" id={`${id}-hint`}>
          Placeholders:{' '}
          {Object.entries(placeholderHelp)
            .map(([placeholder, meaning]) => `${placeholder} (${meaning})`)
            .join(', ')}
          .
        </p>
        <input
          id={`${id}-name`}
          value={name}
          onChange={(event) => setName(event.currentTarget.value)}
          aria-describedby={`${id}-hint`}
          autoComplete="off"
        />
      </div>
      <div className="field">
        <label htmlFor={`${id}-share`}>For</label>
        <select id={`${id}-share`} value={share} onChange={(e) => setShare(e.currentTarget.value)}>
          <option value="">Only me</option>
          {mine.map((g) => (
            <option key={g} value={g}>
              Everyone in {groupName(g)} (its manager or an admin saves)
            </option>
          ))}
        </select>
      </div>
      <button
        type="button"
        className="button button-secondary"
        disabled={busy}
        onClick={() => {
          const label = name.trim();
          if (!label || !props.body.trim())
            return setMessage({ ok: false, text: 'Write the text and a name first.' });
          return run(async () => {
            await desk.createResponse({
              name: label,
              body: props.body.trim(),
              ...(share ? { scope: 'group' as const, group: share } : {}),
            });
            setName('');
            invalidate(responsesKey);
            return `Saved as “${label}”.`;
          });
        }}
      >
        Save response
      </button>
      {message && (
        <p className={message.ok ? 'success-text' : 'field-error'} role={message.ok ? 'status' : 'alert'}>
          {message.text}
        </p>
      )}
    </details>
  );
}
