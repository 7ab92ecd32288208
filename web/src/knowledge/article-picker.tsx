import { useId, useMemo, useState } from 'react';
import { failureMessage } from '../shared/api.ts';
import { usePortal } from '../shared/portal-context.ts';
import { paths } from '../shared/router.tsx';
import { knowledgeApi } from './knowledge-api.ts';
import type { SearchItem, SearchResults } from './search-types.ts';

/**
 * Finds a published article and puts it into what the agent writes: its text, or a link to it
 * in the portal. A public reply takes only articles the requester may read (for everyone); an
 * agents-only article goes into internal notes. It sits inside the composer's form, so it has
 * no form of its own: Enter in its box searches instead of sending the reply.
 */
export function ArticlePicker({ reply, onInsert }: { reply: boolean; onInsert: (text: string) => void }) {
  const { api } = usePortal();
  const knowledge = useMemo(() => knowledgeApi(api), [api]);
  const id = useId();
  const [q, setQ] = useState('');
  const [found, setFound] = useState<readonly SearchItem[]>();
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();

  async function find() {
    setMessage(undefined);
    try {
      const page = await api.request<SearchResults>(
        `/search?${new URLSearchParams({ q: q.trim(), type: 'knowledge', state: 'published', limit: '5' })}`,
      );
      setFound(page.items);
    } catch (failure) {
      setMessage({ ok: false, text: failureMessage(failure, 'The search did not work. Try again.') });
    }
  }

  async function insert(item: SearchItem, as: 'text' | 'link') {
    const link = `${window.location.origin}${paths.article(item.id)}`;
    if (as === 'link') {
      onInsert(`${item.title}: ${link}`);
      setMessage({ ok: true, text: `A link to ${item.number} was inserted; check it, then send.` });
      return;
    }
    try {
      const { article } = await knowledge.get(item.id);
      onInsert(`${article.title}\n\n${article.text}\n\n(${article.number}: ${link})`);
      setMessage({ ok: true, text: `The text of ${item.number} was inserted; check it, then send.` });
    } catch (failure) {
      setMessage({ ok: false, text: failureMessage(failure, 'The article could not be read. Try again.') });
    }
  }

  return (
    <details className="saved-responses">
      <summary>Insert a knowledge article</summary>
      <div className="field">
        <label htmlFor={`${id}-q`}>Search the published articles</label>
        <div className="search-row">
          <input
            id={`${id}-q`}
            type="search"
            value={q}
            onChange={(event) => setQ(event.currentTarget.value)}
            onKeyDown={(event) => {
              if (event.key !== 'Enter') return;
              event.preventDefault();
              void find();
            }}
          />
          <button type="button" className="button button-secondary" onClick={() => void find()}>
            Find articles
          </button>
        </div>
      </div>
      {found?.length === 0 && <p role="status">No published article matches.</p>}
      {found && found.length > 0 && (
        <ul className="article-picks" aria-label="Articles found">
          {found.map((item) => {
            const hidden = reply && item.audience === 'agents';
            return (
              <li key={item.id}>
                <span>
                  {item.number} {item.title}
                  {item.audience === 'agents' && ' (agents only)'}
                </span>
                <span className="button-row">
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    disabled={hidden}
                    aria-label={`Insert text of ${item.number}`}
                    onClick={() => void insert(item, 'text')}
                  >
                    Insert text
                  </button>
                  <button
                    type="button"
                    className="button button-secondary button-small"
                    disabled={hidden}
                    aria-label={`Insert link to ${item.number}`}
                    onClick={() => void insert(item, 'link')}
                  >
                    Insert link
                  </button>
                </span>
              </li>
            );
          })}
        </ul>
      )}
      {found?.some((item) => reply && item.audience === 'agents') && (
        <p className="hint">Agents-only articles go into internal notes, never into a public reply.</p>
      )}
      {message && (
        <p className={message.ok ? 'hint' : 'field-error'} role="status">
          {message.text}
        </p>
      )}
    </details>
  );
}
