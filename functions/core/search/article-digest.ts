import * as z from 'zod';

/**
 * What the mail intake needs to suggest articles, without the search library: the published
 * articles for employees, each with the words of its title and excerpt. The indexer writes it
 * next to the knowledge shards after every change of an article; the intake reads this one small
 * object (MiniSearch stays out of its bundle) and ranks by the words a subject shares with each.
 */
export const ArticleDigest = z.object({
  articles: z.array(
    z.object({
      id: z.string().max(64),
      number: z.string().max(16),
      title: z.string().max(200),
      /** Distinct lowercase words of the title. */
      titleWords: z.array(z.string().max(100)).max(100),
      /** Distinct lowercase words of the excerpt. */
      words: z.array(z.string().max(100)).max(300),
    }),
  ),
});
export type ArticleDigest = z.infer<typeof ArticleDigest>;

/** A published article for employees, suggested for a ticket's subject. */
export interface ArticleSuggestion {
  readonly id: string;
  readonly number: string;
  readonly title: string;
}

/** Words split as the index splits them. */
const WORD = /[^\n\r\p{Z}\p{P}]+/gu;
export const distinctWords = (text: string): string[] => [
  ...new Set([...text.matchAll(WORD)].map((m) => m[0].toLowerCase())),
];

/** Words too common in a mail subject to say what it is about. */
const SUBJECT_NOISE = new Set(
  'about after again also fwd help issue keeps please problem since some still that there this urgent what when with from have does doesnt cannot cant wont the and for not my our your'.split(
    ' ',
  ),
);

/** A word of the subject meets a word of the article: the same, or (4+ letters) its beginning. */
const meets = (word: string, other: string) => word === other || (word.length >= 4 && other.startsWith(word));

/**
 * Up to `limit` articles for a subject, best first: a shared title word counts 3, a shared word
 * of the excerpt 1; articles sharing no word are not suggested.
 */
export function suggestFromDigest(digest: ArticleDigest, subject: string, limit = 3): ArticleSuggestion[] {
  const words = distinctWords(subject)
    .filter((word) => word.length >= 3 && !SUBJECT_NOISE.has(word))
    .slice(0, 24);
  if (words.length === 0) return [];
  return digest.articles
    .map((article) => ({
      article,
      score: words.reduce(
        (sum, word) =>
          sum +
          (article.titleWords.some((w) => meets(word, w))
            ? 3
            : article.words.some((w) => meets(word, w))
              ? 1
              : 0),
        0,
      ),
    }))
    .filter(({ score }) => score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map(({ article: { id, number, title } }) => ({ id, number, title }));
}
