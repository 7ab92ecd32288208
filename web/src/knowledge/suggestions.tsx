import { useEffect, useState } from 'react';
import { usePortal } from '../shared/portal-context.ts';
import { Link, paths } from '../shared/router.tsx';
import type { SearchItem, SearchResults } from './search-types.ts';

/** Wait after the last keystroke before asking. */
const PAUSE_MS = 300;

/**
 * Deflection: while someone writes the subject of a new ticket, the published articles that
 * match it, at most three. An article opened from here is counted as a suggestion open.
 */
export function KnowledgeSuggestions({ subject }: { subject: string }) {
  const { api } = usePortal();
  const [items, setItems] = useState<readonly SearchItem[]>([]);
  const words = subject.trim();
  useEffect(() => {
    if (words.length < 3) {
      setItems([]);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      api
        .request<SearchResults>(`/search?${new URLSearchParams({ q: words, type: 'knowledge', limit: '3' })}`)
        .then((page) => {
          if (current) setItems(page.items);
        })
        .catch(() => undefined);
    }, PAUSE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [api, words]);
  if (items.length === 0) return null;
  return (
    <aside className="knowledge-suggestions" aria-label="Articles that may help">
      <p>These articles may answer it already:</p>
      <ul>
        {items.map((item) => (
          <li key={item.id}>
            <Link to={paths.article(item.id, 'suggestion')}>{item.title}</Link>
          </li>
        ))}
      </ul>
    </aside>
  );
}
