import {
  type FormEvent,
  type ReactNode,
  type Ref,
  type RefObject,
  useCallback,
  useEffect,
  useId,
  useImperativeHandle,
  useRef,
  useState,
} from 'react';
import { ApiError, SessionExpiredError } from '../../shared/api.ts';
import {
  DateTime,
  ErrorNotice,
  Loading,
  Notice,
  PageHeading,
  PriorityBadge,
  StateBadge,
} from '../../shared/components.tsx';
import {
  holdReasonLabels,
  kindLabels,
  levelLabels,
  nextStates,
  resolutionLabels,
  stateLabels,
} from '../../shared/format.ts';
import { LoadMore } from '../../shared/load-more.tsx';
import { usePortal } from '../../shared/portal-context.ts';
import { Link, paths } from '../../shared/router.tsx';
import { useShortcuts } from '../../shared/shortcuts.ts';
import type {
  Article,
  AuditEntry,
  Group,
  HoldReason,
  Level,
  ResolutionCode,
  Ticket,
  TicketChange,
  TicketState,
} from '../../shared/types.ts';
import { useLoad } from '../../shared/use-load.ts';
import { usePageTitle } from '../../shared/use-page-title.ts';
import { usePaged } from '../../shared/use-paged.ts';
import { TicketAttachments } from '../attachments.tsx';
import { Conversation } from '../conversation.tsx';

type Mode = 'reply' | 'note';
type Change = Omit<TicketChange, 'version'>;

/**
 * The agent's ticket workspace: the whole conversation (notes included), a composer that
 * is unmistakably either a public reply or an internal note, and the ticket's fields.
 * Every change carries the version the agent saw; a 409 means someone else changed it first.
 */
export function WorkspacePage({ id }: { id: string }) {
  const { api } = usePortal();
  const fetcher = useCallback(() => api.getTicket(id), [api, id]);
  const { load, reload, set } = useLoad(fetcher, 'The ticket could not be loaded.');
  const [conflict, setConflict] = useState(false);
  const [historyVersion, setHistoryVersion] = useState(0);
  const composer = useRef<{ start: (mode: Mode) => void }>(null);
  const assigneeInput = useRef<HTMLInputElement>(null);
  const stateSelect = useRef<HTMLSelectElement>(null);
  const historyHeading = useRef<HTMLHeadingElement>(null);
  usePageTitle(load.status === 'ready' ? `${load.data.ticket.number} (workspace)` : 'Ticket workspace');

  useShortcuts({
    r: () => composer.current?.start('reply'),
    n: () => composer.current?.start('note'),
    a: () => assigneeInput.current?.focus(),
    s: () => stateSelect.current?.focus(),
    h: () => historyHeading.current?.focus(),
  });

  if (load.status !== 'ready') {
    return (
      <>
        <PageHeading>{load.status === 'not-found' ? 'Ticket not found' : 'Ticket'}</PageHeading>
        {load.status === 'loading' && <Loading label="Loading the ticket…" />}
        {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
        {load.status === 'not-found' && (
          <p>
            There is no ticket here, or it is not in your groups.{' '}
            <Link to={paths.queue()}>Back to the queues</Link>
          </p>
        )}
      </>
    );
  }

  const { ticket, articles } = load.data;
  const [first, ...followUps] = articles;
  const open = ticket.state !== 'closed' && ticket.state !== 'cancelled';

  /** Sends one change; true when it was saved. A conflict leaves the form as it is and says so. */
  async function change(patch: Change): Promise<string | true> {
    try {
      const updated = await api.updateTicket(ticket.id, { version: ticket.version, ...patch });
      set({ ticket: updated, articles });
      setHistoryVersion((v) => v + 1);
      return true;
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return 'Your session has ended.';
      if (failure instanceof ApiError && failure.status === 409) {
        setConflict(true);
        return 'Not saved (see the notice at the top).';
      }
      if (failure instanceof ApiError) {
        const fields = failure.fields.map((f) => `${f.path} ${f.message}`).join('; ');
        return fields ? `${failure.message}: ${fields}` : failure.message;
      }
      return 'The change could not be saved. Try again.';
    }
  }

  async function reloadAfterConflict() {
    await reload();
    setConflict(false);
    setHistoryVersion((v) => v + 1);
  }

  function added(result: { ticket: Ticket; article: Article }) {
    set({ ticket: result.ticket, articles: [...articles, result.article] });
    setHistoryVersion((v) => v + 1);
  }

  return (
    <div className="workspace">
      <p className="breadcrumb">
        <Link to={paths.queue()}>Queues</Link>
      </p>
      {conflict && (
        <div className="notice notice-error conflict" role="alert">
          <p>
            <strong>Changed by someone else.</strong> This ticket was changed after you opened it, so your
            change was not saved. Reload to see the current ticket, then make your change again.
          </p>
          <button type="button" className="button" onClick={() => void reloadAfterConflict()}>
            Reload ticket
          </button>
        </div>
      )}
      <p className="ticket-number">
        {ticket.number} · {kindLabels[ticket.kind]}
      </p>
      <PageHeading>{ticket.shortDescription}</PageHeading>
      <dl className="facts">
        <Fact term="State">
          <StateBadge state={ticket.state} />
          {ticket.holdReason && ` (${holdReasonLabels[ticket.holdReason]})`}
        </Fact>
        <Fact term="Priority">
          <PriorityBadge priority={ticket.priority} />
        </Fact>
        <Fact term="Group">{ticket.assignmentGroup ?? '—'}</Fact>
        <Fact term="Assignee">{ticket.assignee?.name ?? ticket.assignee?.email ?? 'Unassigned'}</Fact>
        <Fact term="Requester">
          {ticket.requester.name ?? ticket.requester.email}{' '}
          <span className="muted">{ticket.requester.email}</span>
        </Fact>
        <Fact term="Opened">
          <DateTime iso={ticket.createdAt} />
        </Fact>
      </dl>
      <div className="workspace-grid">
        <div className="workspace-main">
          <section aria-labelledby="description-heading">
            <h2 id="description-heading">Description</h2>
            {first?.html ? (
              <Conversation ticketId={ticket.id} articles={[first]} audience="agent" />
            ) : (
              <p className="text-body">{ticket.description || first?.body || 'No description given.'}</p>
            )}
          </section>
          <section aria-labelledby="conversation-heading">
            <h2 id="conversation-heading">Conversation</h2>
            <Conversation ticketId={ticket.id} articles={followUps} audience="agent" />
          </section>
          {open ? (
            <Composer ref={composer} ticket={ticket} onAdded={added} />
          ) : (
            <p className="muted">
              This ticket is {stateLabels[ticket.state].toLowerCase()}; nothing more can be added.
            </p>
          )}
          <History ticketId={ticket.id} version={historyVersion} headingRef={historyHeading} />
        </div>
        <aside className="workspace-side" aria-label="Ticket fields">
          {open && (
            <>
              <AssignmentPanel ticket={ticket} change={change} assigneeInput={assigneeInput} />
              <StatePanel ticket={ticket} change={change} stateSelect={stateSelect} />
              <PriorityPanel ticket={ticket} change={change} />
              <WatchersPanel ticket={ticket} change={change} />
            </>
          )}
          {ticket.resolution && (
            <section className="panel" aria-labelledby="resolution-heading">
              <h2 id="resolution-heading">Resolution</h2>
              <p>
                <strong>{resolutionLabels[ticket.resolution.code]}</strong>
              </p>
              <p className="text-body">{ticket.resolution.notes}</p>
            </section>
          )}
          <TicketAttachments ticketId={ticket.id} canAdd={open} />
        </aside>
      </div>
    </div>
  );
}

function Fact({ term, children }: { term: string; children: ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

type ChangeFn = (patch: Change) => Promise<string | true>;

/** A side panel form: shows its own saving state, error and confirmation. */
function PanelForm(props: {
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

function AssignmentPanel(props: {
  ticket: Ticket;
  change: ChangeFn;
  assigneeInput: RefObject<HTMLInputElement | null>;
}) {
  const { ticket, change, assigneeInput } = props;
  const { api, session } = usePortal();
  const id = useId();
  const [groups, setGroups] = useState<readonly Group[]>([]);
  useEffect(() => {
    api
      .listGroups()
      .then((page) => setGroups(page.items))
      .catch(() => undefined);
  }, [api]);
  const [assignee, setAssignee] = useState(ticket.assignee?.email ?? '');
  useEffect(() => setAssignee(ticket.assignee?.email ?? ''), [ticket.assignee?.email]);
  // Controlled, so the ticket's group stays chosen when the list of groups arrives later.
  const [group, setGroup] = useState(ticket.assignmentGroup ?? '');
  useEffect(() => setGroup(ticket.assignmentGroup ?? ''), [ticket.assignmentGroup]);

  return (
    <PanelForm
      title="Assignment"
      change={change}
      submitLabel="Save assignment"
      onSubmit={() => {
        const email = assignee.trim().toLowerCase();
        return {
          assignmentGroup: group || null,
          assignee: email
            ? { email, ...(email === session.email.toLowerCase() ? { name: session.name } : {}) }
            : null,
        };
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-group`}>Assignment group</label>
        <select
          id={`${id}-group`}
          name="group"
          value={group}
          onChange={(e) => setGroup(e.currentTarget.value)}
        >
          <option value="">No group</option>
          {groups.map((g) => (
            <option key={g.id} value={g.id}>
              {g.name}
            </option>
          ))}
          {ticket.assignmentGroup && !groups.some((g) => g.id === ticket.assignmentGroup) && (
            <option value={ticket.assignmentGroup}>{ticket.assignmentGroup}</option>
          )}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-assignee`}>Assignee (address)</label>
        <input
          ref={assigneeInput}
          id={`${id}-assignee`}
          type="email"
          value={assignee}
          onChange={(e) => setAssignee(e.currentTarget.value)}
          aria-keyshortcuts="a"
          autoComplete="off"
        />
        <button type="button" className="link-button" onClick={() => setAssignee(session.email)}>
          Assign to me
        </button>
      </div>
    </PanelForm>
  );
}

function StatePanel(props: {
  ticket: Ticket;
  change: ChangeFn;
  stateSelect: RefObject<HTMLSelectElement | null>;
}) {
  const { ticket, change, stateSelect } = props;
  const id = useId();
  const options = nextStates[ticket.state];
  const [to, setTo] = useState<TicketState | ''>('');
  const [seenVersion, setSeenVersion] = useState(ticket.version);
  if (seenVersion !== ticket.version) {
    setSeenVersion(ticket.version);
    setTo('');
  }
  return (
    <PanelForm
      title="State"
      change={change}
      submitLabel="Change state"
      onSubmit={(form) => {
        if (!to) return 'Choose the new state.';
        if (to === 'on_hold') return { state: to, holdReason: String(form.get('holdReason')) as HoldReason };
        if (to === 'resolved') {
          const notes = String(form.get('resolutionNotes') ?? '').trim();
          if (!notes) return 'Resolution notes are required to resolve.';
          return {
            state: to,
            resolutionCode: String(form.get('resolutionCode')) as ResolutionCode,
            resolutionNotes: notes,
          };
        }
        return { state: to };
      }}
    >
      <p>
        Now: <StateBadge state={ticket.state} />
      </p>
      <div className="field">
        <label htmlFor={`${id}-state`}>New state</label>
        <select
          ref={stateSelect}
          id={`${id}-state`}
          value={to}
          onChange={(e) => setTo(e.currentTarget.value as TicketState)}
          aria-keyshortcuts="s"
        >
          <option value="">Choose…</option>
          {options.map((state) => (
            <option key={state} value={state}>
              {stateLabels[state]}
            </option>
          ))}
        </select>
      </div>
      {to === 'on_hold' && (
        <div className="field">
          <label htmlFor={`${id}-hold`}>Hold reason (required)</label>
          <select id={`${id}-hold`} name="holdReason" defaultValue="awaiting_caller">
            {Object.entries(holdReasonLabels).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </div>
      )}
      {to === 'resolved' && (
        <>
          <div className="field">
            <label htmlFor={`${id}-code`}>Resolution code (required)</label>
            <select id={`${id}-code`} name="resolutionCode" defaultValue="solved">
              {Object.entries(resolutionLabels).map(([value, label]) => (
                <option key={value} value={value}>
                  {label}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor={`${id}-notes`}>Resolution notes (required, mailed to the requester)</label>
            <textarea id={`${id}-notes`} name="resolutionNotes" rows={3} required />
          </div>
        </>
      )}
    </PanelForm>
  );
}

function PriorityPanel({ ticket, change }: { ticket: Ticket; change: ChangeFn }) {
  const id = useId();
  return (
    <PanelForm
      title="Impact and urgency"
      change={change}
      submitLabel="Save impact and urgency"
      onSubmit={(form) => ({
        impact: Number(form.get('impact')) as Level,
        urgency: Number(form.get('urgency')) as Level,
      })}
    >
      <p>
        Priority now: <PriorityBadge priority={ticket.priority} />
        <br />
        <span className="muted">Spoke works the priority out from impact and urgency when you save.</span>
      </p>
      <div className="field-row" key={ticket.version}>
        <div className="field">
          <label htmlFor={`${id}-impact`}>Impact</label>
          <select id={`${id}-impact`} name="impact" defaultValue={ticket.impact}>
            {[1, 2, 3].map((level) => (
              <option key={level} value={level}>
                {levelLabels[level]}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${id}-urgency`}>Urgency</label>
          <select id={`${id}-urgency`} name="urgency" defaultValue={ticket.urgency}>
            {[1, 2, 3].map((level) => (
              <option key={level} value={level}>
                {levelLabels[level]}
              </option>
            ))}
          </select>
        </div>
      </div>
    </PanelForm>
  );
}

function WatchersPanel({ ticket, change }: { ticket: Ticket; change: ChangeFn }) {
  const id = useId();
  const [message, setMessage] = useState<string>();
  return (
    <PanelForm
      title="Watchers"
      change={change}
      submitLabel="Add watcher"
      onSubmit={(form) => {
        const email = String(form.get('watcher') ?? '')
          .trim()
          .toLowerCase();
        if (!/^[^@\s]+@[^@\s]+$/.test(email)) return 'Enter an e-mail address.';
        if (ticket.watchers.includes(email)) return `${email} already watches this ticket.`;
        return { watchers: [...ticket.watchers, email] };
      }}
    >
      {ticket.watchers.length === 0 ? (
        <p className="muted">Nobody else follows this ticket.</p>
      ) : (
        <ul className="file-list">
          {ticket.watchers.map((watcher) => (
            <li key={watcher}>
              <span>{watcher}</span>
              <button
                type="button"
                className="link-button"
                onClick={async () => {
                  const result = await change({ watchers: ticket.watchers.filter((w) => w !== watcher) });
                  setMessage(result === true ? `${watcher} no longer watches.` : result);
                }}
              >
                Remove <span className="visually-hidden">{watcher}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {message && <p role="status">{message}</p>}
      <div className="field">
        <label htmlFor={`${id}-watcher`}>Add a watcher (address)</label>
        <input id={`${id}-watcher`} name="watcher" type="email" autoComplete="off" key={ticket.version} />
      </div>
    </PanelForm>
  );
}

/**
 * Writes either a public reply or an internal note, never something in between: the mode is
 * chosen explicitly, the whole box changes colour and wording with it, the button says who
 * will read it, and the confirmation repeats it.
 */
function Composer(props: {
  ref: Ref<{ start: (mode: Mode) => void }>;
  ticket: Ticket;
  onAdded: (result: { ticket: Ticket; article: Article }) => void;
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

const fieldLabels: Record<string, string> = {
  state: 'State',
  holdReason: 'Hold reason',
  impact: 'Impact',
  urgency: 'Urgency',
  priority: 'Priority',
  assignmentGroup: 'Group',
  assignee: 'Assignee',
  watchers: 'Watchers',
  resolution: 'Resolution',
  shortDescription: 'Short description',
  description: 'Description',
};

function show(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.join(', ') : '—';
  if (typeof value === 'object') {
    const code = (value as { code?: unknown }).code;
    return typeof code === 'string'
      ? (resolutionLabels[code as ResolutionCode] ?? code)
      : JSON.stringify(value);
  }
  if (typeof value === 'string' && value in stateLabels) return stateLabels[value as TicketState];
  return String(value);
}

function History(props: {
  ticketId: string;
  version: number;
  headingRef: RefObject<HTMLHeadingElement | null>;
}) {
  const { ticketId, version, headingRef } = props;
  const { api } = usePortal();
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new version means new history to read
  const fetcher = useCallback((cursor?: string) => api.history(ticketId, cursor), [api, ticketId, version]);
  const history = usePaged(fetcher, 'The history could not be loaded.');
  return (
    <section aria-labelledby="history-heading">
      <h2 id="history-heading" ref={headingRef} tabIndex={-1}>
        History
      </h2>
      {history.status === 'loading' && history.items.length === 0 && (
        <p className="loading">Loading the history…</p>
      )}
      {history.error && <ErrorNotice message={history.error} onRetry={() => void history.reload()} />}
      {history.status === 'ready' && history.items.length === 0 && <p className="muted">No changes yet.</p>}
      {history.items.length > 0 && (
        <ol className="timeline">
          {history.items.map((entry: AuditEntry) => (
            <li key={`${entry.at}-${entry.field}`}>
              <DateTime iso={entry.at} /> · <span className="muted">{entry.actor.email}</span>
              <br />
              <strong>{fieldLabels[entry.field] ?? entry.field}</strong>: {show(entry.oldValue)} →{' '}
              {show(entry.newValue)}
              {entry.reason && <span className="muted"> ({entry.reason})</span>}
            </li>
          ))}
        </ol>
      )}
      {history.status !== 'failed' && (
        <LoadMore
          cursor={history.cursor}
          busy={history.status === 'loading-more'}
          onLoad={() => void history.loadMore()}
        />
      )}
    </section>
  );
}
