import { type FormEvent, useCallback, useId, useMemo, useRef, useState } from 'react';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { ErrorNotice, Loading, PageHeading } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import { useInvalidate, useQuery } from '../shared/query-cache.ts';
import { Link, navigate, paths } from '../shared/router.tsx';
import { usePageTitle } from '../shared/use-page-title.ts';
import { type Audience, type KnowledgeArticle, type KnowledgeView, knowledgeApi } from './knowledge-api.ts';
import { RichTextEditor, type RichTextHandle } from './rich-text-editor.tsx';

type Field = 'title' | 'body' | 'category' | 'services' | 'reviewBy';

/** A new article (`/knowledge/new`) or an edit of a draft or an article in review (`/knowledge/<id>/edit`). */
export function ArticleEditorPage({ id }: { id?: string }) {
  const { api } = usePortal();
  const knowledge = useMemo(() => knowledgeApi(api), [api]);
  const fetcher = useCallback(
    () => (id ? knowledge.get(id).then((view) => view.article) : Promise.resolve(undefined)),
    [knowledge, id],
  );
  const { load, reload } = useQuery(
    `knowledge:edit:${id ?? 'new'}`,
    fetcher,
    'The article could not be loaded.',
  );
  usePageTitle(id ? 'Edit article' : 'New article');
  if (load.status === 'loading') return <Loading label="Loading the article…" />;
  if (load.status === 'failed') return <ErrorNotice message={load.message} onRetry={() => void reload()} />;
  if (load.status === 'not-found') return <PageHeading>Article not found</PageHeading>;
  return <ArticleForm article={load.data} />;
}

function ArticleForm({ article }: { article: KnowledgeArticle | undefined }) {
  const { api, cache } = usePortal();
  const knowledge = useMemo(() => knowledgeApi(api), [api]);
  const invalidate = useInvalidate();
  const id = useId();
  const editor = useRef<RichTextHandle>(null);
  const [saving, setSaving] = useState(false);
  const [formError, setFormError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<Field, string>>>({});
  const editable = !article || article.state === 'draft' || article.state === 'review';
  const download = useCallback(
    (attachment: string) => (article ? knowledge.imageUrl(article.id, attachment) : Promise.reject()),
    [knowledge, article],
  );

  async function save(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const text = (name: string) => String(form.get(name) ?? '').trim();
    const title = text('title');
    if (!title) {
      setFieldErrors({ title: 'Enter a title.' });
      return;
    }
    const services = text('services')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const fields = {
      title,
      body: editor.current?.html() ?? '',
      audience: (text('audience') || 'employees') as Audience,
      services,
    };
    setSaving(true);
    setFormError(undefined);
    setFieldErrors({});
    try {
      const saved = article
        ? await knowledge.update(article.id, {
            ...fields,
            version: article.version,
            category: text('category') || null,
            reviewBy: text('reviewBy') || null,
          })
        : await knowledge.create({
            ...fields,
            ...(text('category') ? { category: text('category') } : {}),
            ...(text('reviewBy') ? { reviewBy: text('reviewBy') } : {}),
          });
      // The article page shows what is cached while it reads again: show the saved version at
      // once, so a move made right away names the version just written.
      const key = `knowledge:${saved.id}`;
      const shown = cache.snapshot(key);
      invalidate('knowledge');
      if (shown.status === 'ready') cache.set(key, { ...(shown.data as KnowledgeView), article: saved });
      navigate(paths.article(saved.id));
    } catch (error) {
      if (error instanceof SessionExpiredError) return;
      setSaving(false);
      if (error instanceof ApiError) {
        setFormError(
          error.status === 409
            ? 'Someone changed this article meanwhile. Reload it and edit again.'
            : error.message,
        );
        setFieldErrors(Object.fromEntries(error.fields.map((f) => [f.path, f.message])));
      } else setFormError('The article could not be saved. Try again.');
    }
  }

  const error = (field: Field) =>
    fieldErrors[field] && (
      <p className="field-error" id={`${id}-${field}-error`}>
        {fieldErrors[field]}
      </p>
    );
  const described = (field: Field, hint?: string) =>
    [hint, fieldErrors[field] && `${id}-${field}-error`].filter(Boolean).join(' ') || undefined;

  return (
    <>
      <PageHeading>{article ? `Edit ${article.number}` : 'New knowledge article'}</PageHeading>
      {!editable && (
        <ErrorNotice
          message={`This article is ${article?.state}: move it to draft on its page before you change its text.`}
        />
      )}
      {formError && <ErrorNotice message={formError} />}
      <form className="form" onSubmit={save} noValidate>
        <div className="field">
          <label htmlFor={`${id}-title`}>
            Title <span className="required">(required)</span>
          </label>
          <input
            id={`${id}-title`}
            name="title"
            required
            maxLength={200}
            defaultValue={article?.title}
            aria-invalid={fieldErrors.title ? true : undefined}
            aria-describedby={described('title')}
          />
          {error('title')}
        </div>
        <div className="field">
          <span className="label" id={`${id}-body-label`}>
            Text
          </span>
          <RichTextEditor
            ref={editor}
            labelId={`${id}-body-label`}
            {...(described('body') ? { describedBy: described('body') } : {})}
            initialHtml={article?.body ?? ''}
            {...(article
              ? { upload: async (file: File) => (await knowledge.uploadImage(article.id, file)).id, download }
              : {})}
          />
          {error('body')}
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-category`}>
              Category <span className="optional">(optional)</span>
            </label>
            <input
              id={`${id}-category`}
              name="category"
              maxLength={64}
              defaultValue={article?.category}
              aria-describedby={described('category')}
            />
            {error('category')}
          </div>
          <div className="field">
            <label htmlFor={`${id}-audience`}>Who may read it</label>
            <select id={`${id}-audience`} name="audience" defaultValue={article?.audience ?? 'employees'}>
              <option value="employees">Everyone (employees and agents)</option>
              <option value="agents">Agents only</option>
            </select>
          </div>
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor={`${id}-services`}>
              Services <span className="optional">(optional, separated by commas)</span>
            </label>
            <input
              id={`${id}-services`}
              name="services"
              defaultValue={article?.services.join(', ')}
              aria-describedby={described('services')}
            />
            {error('services')}
          </div>
          <div className="field">
            <label htmlFor={`${id}-reviewBy`}>
              Review by <span className="optional">(optional)</span>
            </label>
            <input
              id={`${id}-reviewBy`}
              name="reviewBy"
              type="date"
              defaultValue={article?.reviewBy}
              aria-describedby={described('reviewBy')}
            />
            {error('reviewBy')}
          </div>
        </div>
        <div className="form-actions">
          <button type="submit" className="button" disabled={saving || !editable}>
            {saving ? 'Saving…' : article ? 'Save changes' : 'Save draft'}
          </button>
          <Link
            to={article ? paths.article(article.id) : paths.knowledge()}
            className="button button-secondary"
          >
            Cancel
          </Link>
        </div>
      </form>
    </>
  );
}
