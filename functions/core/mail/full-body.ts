import * as z from 'zod';

/** The whole of a mail's text as the intake read it, kept apart when the article holds an excerpt. */
export const FullMailBody = z.object({
  /** The new part of the message, as plain text. */
  text: z.string(),
  /** The quoted history below it. */
  quoted: z.string().optional(),
  /** The sanitized HTML. */
  html: z.string().optional(),
});
export type FullMailBody = z.infer<typeof FullMailBody>;

/**
 * Limits, in UTF-8 bytes, of what an article item keeps of a mail. Together they stay far
 * below DynamoDB's 400 KB per item whatever the script (a Japanese character is 3 bytes,
 * an emoji 4), so a mail of any size becomes an article; the rest is in the full body.
 */
export const articleExcerptBytes = { text: 48 * 1024, quoted: 32 * 1024, html: 96 * 1024 } as const;

const encoder = new TextEncoder();

/** The text cut to at most `maxBytes` of UTF-8, at a character boundary, with `…` when cut. */
export function excerptBytes(text: string, maxBytes: number): { text: string; cut: boolean } {
  if (text.length * 3 <= maxBytes) return { text, cut: false };
  const room = new Uint8Array(maxBytes - 3);
  const { read } = encoder.encodeInto(text.slice(0, maxBytes), room);
  if (read >= text.length) return { text, cut: false };
  return { text: `${text.slice(0, read)}…`, cut: true };
}
