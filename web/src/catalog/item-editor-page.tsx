import { type FormEvent, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import { ApiError } from '../shared/api.ts';
import { ErrorNotice, Loading, Notice, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { Link, navigate, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import {
  type AnswerValue,
  type CatalogCategory,
  type CatalogItem,
  catalogApi,
  catalogIcons,
  visibleFields,
} from './catalog-api.ts';
import { Field } from './form-field.tsx';
import { draftOf, formOf, type ItemDraftState, itemOf, newDraft } from './item-draft.ts';
import { FormBuilder, Input, PlanEditor } from './item-editor-parts.tsx';
import './catalog.css';

/**
 * Admins: an item's editor — its basics, who may order it, its cost, the approval policy, the
 * form (built field by field, with a live preview that shows and hides fields by their
 * conditions as answers are tried), and the fulfilment plan. Saving stores a NEW version:
 * requests already ordered keep the version they were ordered under.
 */
export function ItemEditorPage({ id: itemId }: { id: string }) {
  const { api } = usePortal();
  const catalog = useMemo(() => catalogApi(api), [api]);
  const invalidate = useInvalidate();
  const creating = itemId === 'new';
  usePageTitle(creating ? 'New catalog item' : `Edit ${itemId}`);
  const fetcher = useCallback(async (): Promise<{ categories: CatalogCategory[]; item?: CatalogItem }> => {
    const { categories } = await catalog.catalog();
    return creating ? { categories } : { categories, item: await catalog.item(itemId) };
  }, [catalog, creating, itemId]);
  const { load, reload } = useQuery(`catalog:editor:${itemId}`, fetcher, 'The item could not be loaded.');
  const [draft, setDraft] = useState<ItemDraftState>();
  const [version, setVersion] = useState<number>();
  useEffect(() => {
    if (load.status !== 'ready' || draft) return;
    setDraft(load.data.item ? draftOf(load.data.item) : newDraft(load.data.categories[0]?.id));
    setVersion(load.data.item?.version);
  }, [load, draft]);

  if (load.status === 'loading' || (load.status === 'ready' && !draft))
    return <Loading label="Loading the item…" />;
  if (load.status === 'failed') return <ErrorNotice message={load.message} onRetry={() => void reload()} />;
  if (load.status !== 'ready' || !draft) return null;
  return (
    <Editor
      draft={draft}
      categories={load.data.categories}
      creating={creating}
      version={version}
      update={(change) => setDraft((d) => (d ? change(d) : d))}
      save={async () => {
        const saved = await catalog.saveItem(itemOf(draft), version ? { version } : undefined);
        invalidate('catalog');
        setVersion(saved.version);
        if (creating) navigate(paths.adminCatalogItem(saved.id), { replace: true });
        return saved;
      }}
    />
  );
}

function Editor(props: {
  draft: ItemDraftState;
  categories: readonly CatalogCategory[];
  creating: boolean;
  version: number | undefined;
  update: (change: (draft: ItemDraftState) => ItemDraftState) => void;
  save: () => Promise<CatalogItem>;
}) {
  const { draft, categories, creating, version, update, save } = props;
  const id = useId();
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string>();
  const [saved, setSaved] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [tried, setTried] = useState<Record<string, AnswerValue>>({});
  const summary = useRef<HTMLDivElement>(null);
  const set =
    <K extends keyof ItemDraftState>(key: K) =>
    (value: ItemDraftState[K]) =>
      update((d) => ({ ...d, [key]: value }));
  const preview = visibleFields(formOf(draft), tried);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setFailure(undefined);
    setSaved(undefined);
    try {
      const item = await save();
      setSaved(
        `Saved as version ${item.version}. Requests already ordered keep the version they were ordered under.`,
      );
    } catch (error) {
      if (error instanceof ApiError && error.fields.length > 0) {
        setErrors(Object.fromEntries(error.fields.map((f) => [f.path, f.message])));
        setFailure(`Not saved: ${error.fields.map((f) => `${f.path} ${f.message}`).join('; ')}`);
      } else setFailure(error instanceof ApiError ? error.message : 'The item could not be saved.');
      requestAnimationFrame(() => summary.current?.focus());
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <PageHeading>{creating ? 'New catalog item' : `Edit ${draft.name}`}</PageHeading>
      <p>
        <Link to={paths.adminCatalog}>All catalog items</Link>
        {version ? ` · version ${version}` : ''}
      </p>
      <div ref={summary} tabIndex={-1}>
        {failure && <ErrorNotice message={failure} />}
        {saved && <Notice tone="success">{saved}</Notice>}
      </div>
      <div className="item-editor">
        <form className="form" onSubmit={(e) => void submit(e)} noValidate aria-label="Item definition">
          <h2>The item</h2>
          {creating && (
            <Input
              id={`${id}-id`}
              label="Item id"
              help="Lower-case letters, digits and -; it cannot change later."
              value={draft.id}
              error={errors.id}
              onChange={set('id')}
            />
          )}
          <Input
            id={`${id}-name`}
            label="Name"
            value={draft.name}
            error={errors.name}
            onChange={set('name')}
          />
          <Input
            id={`${id}-description`}
            label="Description"
            multiline
            value={draft.description}
            onChange={set('description')}
          />
          <div className="field-row">
            <div className="field">
              <label htmlFor={`${id}-icon`}>Icon</label>
              <select
                id={`${id}-icon`}
                value={draft.icon}
                onChange={(e) => set('icon')(e.currentTarget.value as ItemDraftState['icon'])}
              >
                {catalogIcons.map((icon) => (
                  <option key={icon}>{icon}</option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${id}-category`}>Category</label>
              <select
                id={`${id}-category`}
                value={draft.category}
                onChange={(e) => set('category')(e.currentTarget.value)}
              >
                {categories.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <Input
            id={`${id}-groups`}
            label="Who may order it"
            help="Group ids, comma-separated; empty: everyone. Agents may always order for a caller."
            value={draft.orderGroups}
            error={errors.groups}
            onChange={set('orderGroups')}
          />
          <div className="field-row">
            <Input
              id={`${id}-cost`}
              label="Cost"
              type="number"
              help="Optional."
              value={draft.costAmount}
              onChange={set('costAmount')}
            />
            <Input
              id={`${id}-currency`}
              label="Currency"
              value={draft.costCurrency}
              error={errors['cost.currency']}
              onChange={set('costCurrency')}
            />
          </div>
          <label className="checkbox-field">
            <input
              type="checkbox"
              checked={draft.active}
              onChange={(e) => set('active')(e.currentTarget.checked)}
            />
            Can be ordered (unticked: retired)
          </label>

          <h2>Approval</h2>
          <div className="field">
            <label htmlFor={`${id}-policy`}>Who approves</label>
            <select
              id={`${id}-policy`}
              value={draft.policy}
              onChange={(e) => set('policy')(e.currentTarget.value as ItemDraftState['policy'])}
            >
              <option value="none">Nobody</option>
              <option value="manager">The requester's manager</option>
              <option value="group">A group</option>
            </select>
          </div>
          {draft.policy === 'group' && (
            <Input
              id={`${id}-approval-group`}
              label="Approving group"
              value={draft.approvalGroup}
              error={errors['approval.group']}
              onChange={set('approvalGroup')}
            />
          )}
          <div className="field-row">
            <Input
              id={`${id}-above`}
              label="Also a cost approver above"
              type="number"
              help="Optional: an order costing more needs this group too."
              value={draft.costAbove}
              error={errors['approval.costThreshold']}
              onChange={set('costAbove')}
            />
            <Input
              id={`${id}-cost-group`}
              label="Cost approver group"
              value={draft.costGroup}
              onChange={set('costGroup')}
            />
          </div>

          <h2>Order form</h2>
          <FormBuilder id={id} draft={draft} update={update} errors={errors} />

          <h2>Fulfilment plan</h2>
          <PlanEditor id={id} draft={draft} update={update} />

          <div className="form-actions">
            <button type="submit" className="button" disabled={busy}>
              {busy ? 'Saving…' : creating ? 'Create item' : 'Save as a new version'}
            </button>
          </div>
        </form>
        <section className="item-preview" aria-labelledby={`${id}-preview`}>
          <h2 id={`${id}-preview`}>Live preview</h2>
          <p className="muted">The form as people will see it; try answers to check the conditions.</p>
          {preview.length === 0 && <p className="empty">No fields yet.</p>}
          {preview.map((field, index) => (
            <Field
              // biome-ignore lint/suspicious/noArrayIndexKey: a field being typed may have no id yet
              key={`${field.id}-${index}`}
              id={`${id}-preview-${index}`}
              field={field}
              value={tried[field.id]}
              error={undefined}
              onChange={(value) =>
                setTried((current) => {
                  const next = { ...current };
                  if (value === undefined || value === '') delete next[field.id];
                  else next[field.id] = value;
                  return next;
                })
              }
            />
          ))}
        </section>
      </div>
    </>
  );
}
