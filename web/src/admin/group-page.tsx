import { type FormEvent, useCallback, useId, useState } from 'react';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { DateTime, ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { LoadMore } from '../shared/load-more.tsx';
import { PEOPLE_KEY, usePeople } from '../shared/people.ts';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate } from '../shared/query-cache.ts';
import { Link, paths } from '../shared/router.tsx';
import { useLoad } from '../shared/use-load.ts';
import { usePageTitle } from '../shared/use-page-title.ts';
import { usePaged } from '../shared/use-paged.ts';

/** Admins: one group's members, added and removed by address. */
export function GroupPage({ id: groupId }: { id: string }) {
  const { api } = usePortal();
  const { nameOf } = usePeople();
  const invalidate = useInvalidate();
  const id = useId();
  const groupFetcher = useCallback(() => api.getGroup(groupId), [api, groupId]);
  const membersFetcher = useCallback((cursor?: string) => api.listMembers(groupId, cursor), [api, groupId]);
  const group = useLoad(groupFetcher, 'The group could not be loaded.');
  const members = usePaged(membersFetcher, 'The members could not be loaded.');
  const [error, setError] = useState<string>();
  const [message, setMessage] = useState<string>();
  const [saving, setSaving] = useState(false);
  const name = group.load.status === 'ready' ? group.load.data.name : groupId;
  usePageTitle(`Group ${name}`);

  async function run(action: () => Promise<unknown>, done: string) {
    setSaving(true);
    setError(undefined);
    setMessage(undefined);
    try {
      await action();
      setMessage(done);
      invalidate(PEOPLE_KEY);
      await members.reload();
      return true;
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return false;
      if (failure instanceof ApiError && failure.status === 409) {
        setError('Changed by someone else: reload the page to see the group as it is now.');
      } else if (failure instanceof ApiError) {
        const fields = failure.fields.map((f) => `${f.path} ${f.message}`).join('; ');
        setError(fields ? `${failure.message}: ${fields}` : failure.message);
      } else setError('That did not work. Try again.');
      return false;
    } finally {
      setSaving(false);
    }
  }

  async function add(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const email = String(form.get('email') ?? '').trim();
    const memberName = String(form.get('name') ?? '').trim();
    if (
      await run(
        () => api.addMember(groupId, { email, ...(memberName ? { name: memberName } : {}) }),
        `${email} added.`,
      )
    )
      formElement.reset();
  }

  if (group.load.status === 'not-found') {
    return (
      <>
        <PageHeading>Group not found</PageHeading>
        <p>
          <Link to={paths.adminGroups}>Back to the groups</Link>
        </p>
      </>
    );
  }

  return (
    <>
      <p className="breadcrumb">
        <Link to={paths.adminGroups}>Groups</Link>
      </p>
      <PageHeading>{name}</PageHeading>
      {group.load.status === 'ready' && group.load.data.description && (
        <p className="lead">{group.load.data.description}</p>
      )}
      {group.load.status === 'ready' && (
        <p className="group-manager">
          Manager:{' '}
          {group.load.data.managerEmail ? (
            <>
              <strong>{nameOf(group.load.data.managerEmail)}</strong>{' '}
              <span className="muted">
                {group.load.data.managerEmail} · approves the group's low-risk changes
              </span>
            </>
          ) : (
            <span className="muted">none (low-risk changes go to the change advisory board)</span>
          )}
        </p>
      )}
      <section aria-labelledby={`${id}-members`}>
        <h2 id={`${id}-members`}>Members</h2>
        {members.status === 'loading' && <Loading label="Loading members…" />}
        {members.error && <ErrorNotice message={members.error} onRetry={() => void members.reload()} />}
        {members.status === 'ready' && members.items.length === 0 && (
          <p className="empty">Nobody is in this group yet.</p>
        )}
        {members.items.length > 0 && (
          <ul className="file-list">
            {members.items.map((member) => (
              <li key={member.email}>
                <span>
                  {member.name ? `${member.name} · ` : ''}
                  {member.email}{' '}
                  <span className="muted">
                    since <DateTime iso={member.addedAt} />
                  </span>
                </span>
                <button
                  type="button"
                  className="link-button"
                  disabled={saving}
                  onClick={() =>
                    void run(() => api.removeMember(groupId, member.email), `${member.email} removed.`)
                  }
                >
                  Remove <span className="visually-hidden">{member.email}</span>
                </button>
              </li>
            ))}
          </ul>
        )}
        {members.status !== 'failed' && (
          <LoadMore
            cursor={members.cursor}
            busy={members.status === 'loading-more'}
            onLoad={() => void members.loadMore()}
          />
        )}
      </section>
      {error && <ErrorNotice message={error} />}
      {message && (
        <p className="success-text" role="status">
          {message}
        </p>
      )}
      {group.load.status === 'ready' && (
        <form
          key={group.load.data.version}
          className="form panel"
          onSubmit={(event) => {
            event.preventDefault();
            if (group.load.status !== 'ready') return;
            const form = new FormData(event.currentTarget);
            const description = String(form.get('description') ?? '').trim();
            const manager = String(form.get('manager') ?? '')
              .trim()
              .toLowerCase();
            const version = group.load.data.version;
            void run(
              async () =>
                group.set(
                  await api.updateGroup(groupId, {
                    version,
                    name: String(form.get('name') ?? '').trim(),
                    description: description || null,
                    managerEmail: manager || null,
                  }),
                ),
              'Group saved.',
            );
          }}
          aria-labelledby={`${id}-edit`}
        >
          <h2 id={`${id}-edit`}>Name, description and manager</h2>
          <div className="field">
            <label htmlFor={`${id}-group-name`}>Name</label>
            <input
              id={`${id}-group-name`}
              name="name"
              required
              maxLength={100}
              defaultValue={group.load.data.name}
              autoComplete="off"
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-group-description`}>
              Description <span className="optional">(optional)</span>
            </label>
            <input
              id={`${id}-group-description`}
              name="description"
              maxLength={1000}
              defaultValue={group.load.data.description ?? ''}
              autoComplete="off"
            />
          </div>
          <div className="field">
            <label htmlFor={`${id}-manager`}>
              Manager <span className="optional">(optional)</span>
            </label>
            <p className="hint" id={`${id}-manager-hint`}>
              Approves this group's low-risk changes. Choose a member or type an address.
            </p>
            <input
              id={`${id}-manager`}
              name="manager"
              type="email"
              list={`${id}-people`}
              defaultValue={group.load.data.managerEmail ?? ''}
              aria-describedby={`${id}-manager-hint`}
              autoComplete="off"
            />
            <datalist id={`${id}-people`}>
              {members.items.map((member) => (
                <option key={member.email} value={member.email}>
                  {member.name ?? member.email}
                </option>
              ))}
            </datalist>
          </div>
          <div className="form-actions">
            <button type="submit" className="button button-secondary" disabled={saving}>
              Save group
            </button>
          </div>
        </form>
      )}
      <form className="form panel" onSubmit={add} aria-labelledby={`${id}-add`}>
        <h2 id={`${id}-add`}>Add a member</h2>
        <div className="field">
          <label htmlFor={`${id}-email`}>Address</label>
          <input id={`${id}-email`} name="email" type="email" required autoComplete="off" />
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>
            Name <span className="optional">(optional)</span>
          </label>
          <input id={`${id}-name`} name="name" autoComplete="off" />
        </div>
        <div className="form-actions">
          <button type="submit" className="button" disabled={saving}>
            Add member
          </button>
        </div>
      </form>
    </>
  );
}
