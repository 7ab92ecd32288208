import { useEffect, useState } from 'react';

const INLINE_IMAGE = /src="\/inline\/([A-Za-z0-9_-]{1,64})"/g;
/** Inline images larger than this stay out (they are still among the record's files). */
const MAX_INLINE_IMAGE_BYTES = 5 * 1024 * 1024;

export async function asDataUrl(blob: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(blob);
  });
}

/** The attachment ids of the `/inline/<id>` images in sanitized HTML. */
export const inlineImageIds = (html: string): string[] => [
  ...new Set([...html.matchAll(INLINE_IMAGE)].map((match) => match[1] as string)),
];

/**
 * Sanitized HTML (a mail's, an article's) with its `/inline/<attachment>` images resolved: each
 * is fetched through a presigned URL (`download`) and put in as a `data:` URL, the one kind of
 * image source a sandboxed frame (which inherits the portal's CSP) may load.
 */
export function useInlineImages(html: string, download: (attachmentId: string) => Promise<string>): string {
  const [shown, setShown] = useState(() => html.replace(INLINE_IMAGE, 'src=""'));
  useEffect(() => {
    const ids = inlineImageIds(html);
    setShown(html.replace(INLINE_IMAGE, 'src=""'));
    if (ids.length === 0) return;
    let live = true;
    Promise.all(
      ids.map(async (id) => {
        try {
          const response = await fetch(await download(id));
          const blob = await response.blob();
          if (!response.ok || !blob.type.startsWith('image/') || blob.size > MAX_INLINE_IMAGE_BYTES)
            return [id, ''] as const;
          return [id, await asDataUrl(blob)] as const;
        } catch {
          return [id, ''] as const;
        }
      }),
    ).then((found) => {
      if (!live) return;
      const sources = new Map(found);
      setShown(html.replace(INLINE_IMAGE, (_, id: string) => `src="${sources.get(id) ?? ''}"`));
    });
    return () => {
      live = false;
    };
  }, [html, download]);
  return shown;
}
