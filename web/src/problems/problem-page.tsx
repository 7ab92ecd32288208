import { type FormEvent, useCallback, useEffect, useId, useMemo, useState } from 'react';
import { RecordCisPanel } from '../cmdb/record-cis-panel.tsx';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, Notice, PageHeading, PriorityBadge } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { Link, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import {
  type Problem,
  type ProblemAuditEntry,
  type ProblemState,
  problemApi,
  problemMoveLabels,
  problemStateLabels,
} from './problem-api.ts';

const fieldLabels: Record<string, string> = {
  state: 'State',
  shortDescription: 'Problem statement',
  description: 'Description',
  assignmentGroup: 'Group',
  assignee: 'Assignee',
  rootCause: 'Root cause',
  workaround: 'Workaround',
  workaroundPublished: 'Workaround published',
  fix: 'Fix',
  services: 'Services',
  configurationItems: 'Configuration items',
  priority: 'Priority',
  impact: 'Impact',
  urgency: 'Urgency',
  category: 'Category',
  cancelReason: 'Cancel reason',
  watchers: 'Watchers',
};

const shown = (value: unknown): string => {
  if (value === undefined || value === null || value === '') return '—';
  if (Array.isArray(value)) return value.join(', ') || '—';
  if (typeof value === 'object') return String((value as { email?: string }).email ?? JSON.stringify(value));
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return problemStateLabels[value as ProblemState] ?? String(value);
};

const list = (text: string) =>
  text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);

/**
 * A problem: its statement, analysis (root cause, workaround, fix), the incidents it explains
 * and the changes that fix it, its conversation and history, and the moves the caller may make.
 */
export function ProblemPage({ id }: { id: string }) {
  const { api } = usePortal();
  const problems = useMemo(() => problemApi(api), [api]);
  const invalidate = useInvalidate();
  const fetcher = useCallback(() => problems.get(id), [problems, id]);
  const { load, reload, set } = useQuery(`problem:${id}`, fetcher, 'The problem could not be loaded.');
  const [history, setHistory] = useState<readonly ProblemAuditEntry[]>([]);
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  const [cancelling, setCancelling] = useState(false);
  const formId = useId();
  const view = load.status === 'ready' ? load.data : undefined;
  usePageTitle(view ? `${view.problem.number} ${view.problem.shortDescription}` : 'Problem');

  const version = view?.problem.version;
  useEffect(() => {
    if (version === undefined) return;
    problems.history(id).then(
      (page) => setHistory(page.items),
      () => setHistory([]),
    );
  }, [problems, id, version]);

  async function act(action: () => Promise<unknown>, done: string): Promise<boolean> {
    setError(undefined);
    setMessage(undefined);
    try {
      await action();
      set(await problems.get(id));
      invalidate('problems:');
      setMessage(done);
      return true;
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return false;
      if (failure instanceof ApiError && failure.status === 409)
        setError('This problem was changed by someone else since you opened it. Reload and try again.');
      else if (failure instanceof ApiError) {
        const fields = failure.fields.map((f) => `${fieldLabels[f.path] ?? f.path}: ${f.message}`).join('; ');
        setError(fields ? `${failure.message} (${fields})` : failure.message);
      } else setError('That did not work. Try again.');
      return false;
    }
  }

  if (load.status === 'loading') return <Loading label="Loading the problem…" />;
  if (load.status === 'not-found')
    return (
      <>
        <PageHeading>Problem not found</PageHeading>
        <p>It does not exist, or you may not see it.</p>
      </>
    );
  if (load.status === 'failed') return <ErrorNotice message={load.message} onRetry={() => void reload()} />;
  const { problem, articles, incidents, changes, nextStates } = load.data;
  const canWork = nextStates.length > 0;
  const open = problem.state !== 'closed' && problem.state !== 'cancelled';

  function saveAnalysis(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const orNull = (name: string) => text(name) || null;
    void act(
      () =>
        problems.update(problem.id, {
          version: problem.version,
          assignmentGroup: orNull('assignmentGroup'),
          assignee: text('assignee') ? { email: text('assignee') } : null,
          services: list(text('services')),
          configurationItems: list(text('configurationItems')),
          rootCause: orNull('rootCause'),
          workaround: orNull('workaround'),
          workaroundPublished: form.get('workaroundPublished') === 'on',
          fix: orNull('fix'),
        }),
      'Saved.',
    );
  }

  async function move(to: ProblemState, cancelReason?: string) {
    if (to === 'cancelled' && !cancelReason) return setCancelling(true);
    setCancelling(false);
    await act(
      () =>
        problems.move(problem.id, {
          version: problem.version,
          to,
          ...(to === 'resolved' && problem.rootCause ? { rootCause: problem.rootCause } : {}),
          ...(to === 'resolved' && problem.fix ? { fix: problem.fix } : {}),
          ...(cancelReason ? { cancelReason } : {}),
        }),
      `Moved to ${problemStateLabels[to].toLowerCase()}.`,
    );
  }

  return (
    <>
      <p className="breadcrumb">
        <Link to={paths.problems()}>Problems</Link>
      </p>
      <p className="ticket-number">{problem.number} · Problem</p>
      <PageHeading>{problem.shortDescription}</PageHeading>
      {message && (
        <p className="success-text" role="status">
          {message}
        </p>
      )}
      {error && <ErrorNotice message={error} />}
      <dl className="facts">
        <Fact term="State">
          <span className="badge">{problemStateLabels[problem.state]}</span>
          {problem.workaroundPublished && problem.workaround && ' · known error'}
        </Fact>
        <Fact term="Priority">
          <PriorityBadge priority={problem.priority} />
        </Fact>
        <Fact term="Group">{problem.assignmentGroup ?? '—'}</Fact>
        <Fact term="Assignee">{problem.assignee?.name ?? problem.assignee?.email ?? 'Unassigned'}</Fact>
        <Fact term="Services">{problem.services.join(', ') || '—'}</Fact>
        <Fact term="Opened">
          <DateTime iso={problem.createdAt} /> by {problem.openedBy.name ?? problem.openedBy.email}
        </Fact>
      </dl>
      {canWork && open && (
        <div className="button-row">
          {nextStates.map((to) => (
            <button
              key={to}
              type="button"
              className={to === 'cancelled' ? 'button button-secondary' : 'button'}
              onClick={() => void move(to)}
            >
              {problemMoveLabels[to]}
            </button>
          ))}
        </div>
      )}
      {cancelling && (
        <form
          className="panel"
          aria-label="Cancel the problem"
          onSubmit={(event) => {
            event.preventDefault();
            const reason = String(new FormData(event.currentTarget).get('reason') ?? '').trim();
            if (reason) void move('cancelled', reason);
          }}
        >
          <div className="field">
            <label htmlFor={`${formId}-reason`}>Why is this problem cancelled?</label>
            <textarea id={`${formId}-reason`} name="reason" rows={2} required />
          </div>
          <div className="button-row">
            <button type="submit" className="button">
              Cancel problem
            </button>
            <button type="button" className="button button-secondary" onClick={() => setCancelling(false)}>
              Keep it
            </button>
          </div>
        </form>
      )}
      {nextStates.includes('resolved') && !(problem.rootCause && problem.fix) && (
        <Notice tone="info">
          <p>Resolving needs the root cause and the fix: fill them in below first.</p>
        </Notice>
      )}
      <div className="workspace-grid">
        <div className="workspace-main">
          <section aria-labelledby="description-heading">
            <h2 id="description-heading">Description</h2>
            <p className="text-body">{problem.description || 'No description given.'}</p>
          </section>
          {canWork && open ? (
            <form className="panel" onSubmit={saveAnalysis} aria-labelledby={`${formId}-analysis`} noValidate>
              <h2 id={`${formId}-analysis`}>Analysis</h2>
              <TextField
                id={`${formId}-group`}
                name="assignmentGroup"
                label="Assignment group"
                value={problem.assignmentGroup}
              />
              <TextField
                id={`${formId}-assignee`}
                name="assignee"
                label="Assignee (e-mail)"
                value={problem.assignee?.email}
              />
              <TextField
                id={`${formId}-services`}
                name="services"
                label="Affected services (comma-separated)"
                value={problem.services.join(', ')}
              />
              <TextField
                id={`${formId}-cis`}
                name="configurationItems"
                label="Configuration items (comma-separated)"
                value={problem.configurationItems.join(', ')}
              />
              <AreaField
                id={`${formId}-cause`}
                name="rootCause"
                label="Root cause"
                value={problem.rootCause}
              />
              <AreaField
                id={`${formId}-workaround`}
                name="workaround"
                label="Workaround"
                value={problem.workaround}
              />
              <label className="checkbox-field">
                <input
                  type="checkbox"
                  name="workaroundPublished"
                  defaultChecked={problem.workaroundPublished}
                />
                Publish the workaround (a known error: agents are offered it, requesters of linked incidents
                see it)
              </label>
              <AreaField id={`${formId}-fix`} name="fix" label="Fix" value={problem.fix} />
              <button type="submit" className="button">
                Save analysis
              </button>
            </form>
          ) : (
            <section aria-labelledby="analysis-heading">
              <h2 id="analysis-heading">Analysis</h2>
              <dl className="facts">
                <Fact term="Root cause">{problem.rootCause ?? '—'}</Fact>
                <Fact term="Workaround">{problem.workaround ?? '—'}</Fact>
                <Fact term="Fix">{problem.fix ?? '—'}</Fact>
                {problem.cancelReason && <Fact term="Cancelled because">{problem.cancelReason}</Fact>}
              </dl>
            </section>
          )}
          <section aria-labelledby="problem-conversation">
            <h2 id="problem-conversation">Work notes</h2>
            {articles.length === 0 && <p className="muted">No notes yet.</p>}
            <ol className="conversation">
              {articles.map((article) => (
                <li key={article.id} className={`article article-${article.type}`}>
                  <p className="article-meta">
                    {article.author.name ?? article.author.email} · <DateTime iso={article.createdAt} />
                    {article.type === 'note' && ' · internal note'}
                  </p>
                  <p className="text-body">{article.body}</p>
                </li>
              ))}
            </ol>
            {canWork && open && (
              <NoteForm
                onAdd={(body) => act(() => problems.addNote(problem.id, 'note', body), 'Note added.')}
              />
            )}
          </section>
          <section aria-labelledby="problem-history">
            <h2 id="problem-history">History</h2>
            {history.length === 0 ? (
              <p className="muted">No history yet.</p>
            ) : (
              <ol className="history">
                {history.map((entry) => (
                  <li key={`${entry.at}-${entry.field}-${String(entry.newValue)}`}>
                    <DateTime iso={entry.at} /> · {entry.actor.email}:{' '}
                    {fieldLabels[entry.field] ?? entry.field} {shown(entry.oldValue)} →{' '}
                    {shown(entry.newValue)}
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
        <aside className="workspace-side" aria-label="Linked records">
          <LinkPanel
            title="Incidents"
            items={incidents.map((r) => ({ id: r.id, label: r.number, to: paths.workspace(r.id) }))}
            empty="No incidents linked."
            canLink={canWork && open}
            inputLabel="Link an incident (number)"
            onLink={(number) => act(() => problems.linkIncident(problem.id, number), `${number} linked.`)}
            onUnlink={(item) =>
              act(() => problems.unlinkIncident(problem.id, item.id), `${item.label} unlinked.`)
            }
          />
          <LinkPanel
            title="Fixing changes"
            items={changes.map((r) => ({ id: r.id, label: r.number, to: paths.change(r.id) }))}
            empty="No change linked. When a linked change closes successfully, this problem moves on."
            canLink={canWork && open}
            inputLabel="Link a change (number)"
            onLink={(number) => act(() => problems.linkChange(problem.id, number), `${number} linked.`)}
          />
          <RecordCisPanel
            kind="problem"
            id={problem.id}
            labels={[...problem.services, ...problem.configurationItems]}
            editable={canWork && open}
          />
        </aside>
      </div>
    </>
  );
}

function Fact({ term, children }: { term: string; children: React.ReactNode }) {
  return (
    <div>
      <dt>{term}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function TextField(props: { id: string; name: string; label: string; value: string | undefined }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <input id={props.id} name={props.name} defaultValue={props.value ?? ''} />
    </div>
  );
}

function AreaField(props: { id: string; name: string; label: string; value: string | undefined }) {
  return (
    <div className="field">
      <label htmlFor={props.id}>{props.label}</label>
      <textarea id={props.id} name={props.name} rows={3} defaultValue={props.value ?? ''} />
    </div>
  );
}

function NoteForm({ onAdd }: { onAdd: (body: string) => Promise<boolean> }) {
  const id = useId();
  return (
    <form
      className="panel"
      onSubmit={async (event) => {
        event.preventDefault();
        const form = event.currentTarget;
        const body = String(new FormData(form).get('body') ?? '').trim();
        if (body && (await onAdd(body))) form.reset();
      }}
    >
      <div className="field">
        <label htmlFor={`${id}-note`}>Add a work note</label>
        <textarea id={`${id}-note`} name="body" rows={3} />
      </div>
      <button type="submit" className="button button-secondary">
        Add note
      </button>
    </form>
  );
}

interface LinkItem {
  readonly id: string;
  readonly label: string;
  readonly to: string;
}

function LinkPanel(props: {
  title: string;
  items: readonly LinkItem[];
  empty: string;
  canLink: boolean;
  inputLabel: string;
  onLink: (number: string) => Promise<boolean>;
  onUnlink?: (item: LinkItem) => Promise<boolean>;
}) {
  const id = useId();
  return (
    <section className="panel" aria-labelledby={`${id}-title`}>
      <h2 id={`${id}-title`}>{props.title}</h2>
      {props.items.length === 0 ? (
        <p className="muted">{props.empty}</p>
      ) : (
        <ul className="link-list">
          {props.items.map((item) => (
            <li key={item.id}>
              <Link to={item.to}>{item.label}</Link>
              {props.canLink && props.onUnlink && (
                <button
                  type="button"
                  className="link-button"
                  aria-label={`Unlink ${item.label}`}
                  onClick={() => void props.onUnlink?.(item)}
                >
                  Unlink
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {props.canLink && (
        <form
          onSubmit={async (event) => {
            event.preventDefault();
            const form = event.currentTarget;
            const number = String(new FormData(form).get('number') ?? '')
              .trim()
              .toUpperCase();
            if (number && (await props.onLink(number))) form.reset();
          }}
        >
          <div className="field">
            <label htmlFor={`${id}-number`}>{props.inputLabel}</label>
            <input id={`${id}-number`} name="number" maxLength={20} autoComplete="off" />
          </div>
          <button type="submit" className="button button-secondary">
            Link
          </button>
        </form>
      )}
    </section>
  );
}

export type { Problem };
