import { useEffect } from 'react';

/** Screen reader users hear the title on navigation; keep it specific. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · Spoke`;
  }, [title]);
}
