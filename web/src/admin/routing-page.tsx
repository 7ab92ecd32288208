import { type FormEvent, useCallback, useEffect, useId, useState } from 'react';
import { ticketCategories, ticketServices } from '../../../functions/core/routing/classification.ts';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { levelLabels } from '../shared/format.ts';
import { usePortal } from '../shared/portal-context.ts';
import type { Group, Level, RoutingRule } from '../shared/types.ts';
import { useLoad } from '../shared/use-load.ts';
import { usePageTitle } from '../shared/use-page-title.ts';

const list = (value: FormDataEntryValue | null) =>
  String(value ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);

function describe(rule: RoutingRule): string {
  const c = rule.conditions;
  const parts = [
    c.keywords && `words ${c.keywords.join(', ')}`,
    c.categories && `category ${c.categories.join(', ')}`,
    c.services && `service ${c.services.join(', ')}`,
    c.requesterDomains && `from ${c.requesterDomains.join(', ')}`,
  ].filter(Boolean);
  return parts.length ? `When ${parts.join(' and ')}` : 'Every ticket';
}

/** Admins: the ordered routing rules (first match wins) and the default group, saved as a whole. */
export function RoutingPage() {
  const { api } = usePortal();
  usePageTitle('Routing rules');
  const id = useId();
  const fetcher = useCallback(() => api.routing(), [api]);
  const { load, reload } = useLoad(fetcher, 'The routing rules could not be loaded.');
  const [groups, setGroups] = useState<readonly Group[]>([]);
  const [rules, setRules] = useState<readonly RoutingRule[]>([]);
  const [defaultGroup, setDefaultGroup] = useState('');
  const [dirty, setDirty] = useState(false);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string>();
  const [saved, setSaved] = useState(false);

  useEffect(() => {
    api
      .listGroups()
      .then((page) => setGroups(page.items))
      .catch(() => undefined);
  }, [api]);
  useEffect(() => {
    if (load.status !== 'ready') return;
    setRules(load.data.rules);
    setDefaultGroup(load.data.defaultGroup ?? '');
    setDirty(false);
  }, [load]);

  const edit = (next: readonly RoutingRule[]) => {
    setRules(next);
    setDirty(true);
    setSaved(false);
  };
  const move = (index: number, step: -1 | 1) => {
    const next = [...rules];
    const [rule] = next.splice(index, 1);
    if (rule) next.splice(index + step, 0, rule);
    edit(next);
  };

  function addRule(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    const name = String(form.get('name') ?? '').trim();
    const group = String(form.get('group') ?? '');
    if (!name || !group) return setError('A rule needs a name and a group.');
    const ruleId =
      name
        .toLowerCase()
        .replace(/[^a-z0-9]+/g, '-')
        .replace(/^-|-$/g, '') || `rule-${rules.length + 1}`;
    const keywords = list(form.get('keywords'));
    const categories = form.getAll('categories').map(String);
    const services = form.getAll('services').map(String);
    const requesterDomains = list(form.get('domains'));
    const impact = Number(form.get('impact'));
    const urgency = Number(form.get('urgency'));
    const rule: RoutingRule = {
      id: rules.some((r) => r.id === ruleId) ? `${ruleId}-${rules.length + 1}` : ruleId,
      name,
      conditions: {
        ...(keywords.length ? { keywords } : {}),
        ...(categories.length ? { categories } : {}),
        ...(services.length ? { services } : {}),
        ...(requesterDomains.length ? { requesterDomains } : {}),
      },
      actions: {
        group,
        ...(impact ? { impact: impact as Level } : {}),
        ...(urgency ? { urgency: urgency as Level } : {}),
      },
    };
    setError(undefined);
    edit([...rules, rule]);
    formElement.reset();
  }

  async function save() {
    if (load.status !== 'ready') return;
    setSaving(true);
    setError(undefined);
    try {
      await api.saveRouting({
        rules: [...rules],
        ...(defaultGroup ? { defaultGroup } : {}),
        version: load.data.version,
      });
      setSaved(true);
      await reload();
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return;
      if (failure instanceof ApiError && failure.status === 409) {
        setError(
          'Changed by someone else: another admin saved the rules after you opened them. Reload, then redo your change.',
        );
      } else if (failure instanceof ApiError) {
        const fields = failure.fields.map((f) => `${f.path} ${f.message}`).join('; ');
        setError(fields ? `${failure.message}: ${fields}` : failure.message);
      } else setError('The rules could not be saved.');
    } finally {
      setSaving(false);
    }
  }

  const groupOptions = groups.map((g) => (
    <option key={g.id} value={g.id}>
      {g.name}
    </option>
  ));

  return (
    <>
      <PageHeading>Routing rules</PageHeading>
      <p className="lead">
        New tickets go to the group of the first rule that matches, else to the default group.
      </p>
      {load.status === 'loading' && <Loading label="Loading routing rules…" />}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && (
        <>
          {rules.length === 0 ? (
            <p className="empty">No rules: every ticket goes to the default group.</p>
          ) : (
            <ol className="rule-list">
              {rules.map((rule, index) => (
                <li key={rule.id} className="panel">
                  <p>
                    <strong>{rule.name}</strong> →{' '}
                    {groups.find((g) => g.id === rule.actions.group)?.name ?? rule.actions.group}
                    {rule.actions.impact && ` · impact ${rule.actions.impact}`}
                    {rule.actions.urgency && ` · urgency ${rule.actions.urgency}`}
                  </p>
                  <p className="muted">{describe(rule)}</p>
                  <div className="button-row">
                    <button
                      type="button"
                      className="link-button"
                      disabled={index === 0}
                      onClick={() => move(index, -1)}
                    >
                      Move up <span className="visually-hidden">{rule.name}</span>
                    </button>
                    <button
                      type="button"
                      className="link-button"
                      disabled={index === rules.length - 1}
                      onClick={() => move(index, 1)}
                    >
                      Move down <span className="visually-hidden">{rule.name}</span>
                    </button>
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => edit(rules.filter((_, i) => i !== index))}
                    >
                      Remove <span className="visually-hidden">{rule.name}</span>
                    </button>
                  </div>
                </li>
              ))}
            </ol>
          )}
          <div className="field">
            <label htmlFor={`${id}-default`}>Default group</label>
            <select
              id={`${id}-default`}
              value={defaultGroup}
              onChange={(e) => {
                setDefaultGroup(e.currentTarget.value);
                setDirty(true);
                setSaved(false);
              }}
            >
              <option value="">None (tickets stay without a group)</option>
              {groupOptions}
            </select>
          </div>
          {error && (
            <ErrorNotice
              message={error}
              onRetry={error.startsWith('Changed') ? () => void reload() : undefined}
            />
          )}
          {saved && (
            <Notice tone="success">
              <p>Routing rules saved.</p>
            </Notice>
          )}
          <div className="form-actions">
            <button type="button" className="button" disabled={saving || !dirty} onClick={() => void save()}>
              {saving ? 'Saving…' : 'Save rules'}
            </button>
            {dirty && <span className="muted">Unsaved changes</span>}
          </div>
          <form className="form panel" onSubmit={addRule} aria-labelledby={`${id}-add`}>
            <h2 id={`${id}-add`}>Add a rule</h2>
            <p className="hint">
              Words and domains are comma-separated. Every condition given must match; any item within one
              may. Categories and services are the ones the ticket forms offer.
            </p>
            <div className="field">
              <label htmlFor={`${id}-name`}>Name</label>
              <input id={`${id}-name`} name="name" required maxLength={100} autoComplete="off" />
            </div>
            <div className="field">
              <label htmlFor={`${id}-keywords`}>Words in the description</label>
              <input id={`${id}-keywords`} name="keywords" autoComplete="off" />
            </div>
            <div className="field-row">
              <Choices legend="Categories" name="categories" values={ticketCategories} />
              <Choices legend="Services" name="services" values={ticketServices} />
            </div>
            <div className="field">
              <label htmlFor={`${id}-domains`}>Requester domains</label>
              <input id={`${id}-domains`} name="domains" autoComplete="off" placeholder="example.com" />
            </div>
            <div className="field-row">
              <div className="field">
                <label htmlFor={`${id}-group`}>Route to group</label>
                <select id={`${id}-group`} name="group" required>
                  {groupOptions}
                </select>
              </div>
              <div className="field">
                <label htmlFor={`${id}-impact`}>Set impact</label>
                <select id={`${id}-impact`} name="impact" defaultValue="">
                  <option value="">Keep</option>
                  {[1, 2, 3].map((l) => (
                    <option key={l} value={l}>
                      {levelLabels[l]}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor={`${id}-urgency`}>Set urgency</label>
                <select id={`${id}-urgency`} name="urgency" defaultValue="">
                  <option value="">Keep</option>
                  {[1, 2, 3].map((l) => (
                    <option key={l} value={l}>
                      {levelLabels[l]}
                    </option>
                  ))}
                </select>
              </div>
            </div>
            <div className="form-actions">
              <button type="submit" className="button button-secondary">
                Add rule to the list
              </button>
            </div>
          </form>
        </>
      )}
    </>
  );
}

/** Checkboxes for the values a form can set: a rule can only wait for what a ticket can carry. */
function Choices(props: { legend: string; name: string; values: readonly string[] }) {
  return (
    <fieldset className="choice-group">
      <legend>
        {props.legend} <span className="optional">(any of)</span>
      </legend>
      {props.values.map((value) => (
        <label key={value} className="checkbox-field">
          <input type="checkbox" name={props.name} value={value} />
          {value}
        </label>
      ))}
    </fieldset>
  );
}
