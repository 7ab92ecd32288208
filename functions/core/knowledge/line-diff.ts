/**
 * A line diff of two texts (the revisions of an article), as a reviewer reads it: lines kept,
 * removed and added, in order. Longest common subsequence over lines after the common head
 * and tail are cut off; past {@link MAX_DIFF_CELLS} compared line pairs the middle is shown as
 * removed-then-added rather than spending seconds of CPU on a page nobody reads line by line.
 */
export type DiffLine = { readonly op: 'same' | 'removed' | 'added'; readonly text: string };

export const MAX_DIFF_CELLS = 4_000_000;

export function lineDiff(before: string, after: string): DiffLine[] {
  const a = before.split('\n');
  const b = after.split('\n');
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (
    tail < a.length - head &&
    tail < b.length - head &&
    a[a.length - 1 - tail] === b[b.length - 1 - tail]
  )
    tail++;
  const same = (lines: string[]) => lines.map((text) => ({ op: 'same' as const, text }));
  const midA = a.slice(head, a.length - tail);
  const midB = b.slice(head, b.length - tail);
  return [...same(a.slice(0, head)), ...middle(midA, midB), ...same(a.slice(a.length - tail))];
}

function middle(a: readonly string[], b: readonly string[]): DiffLine[] {
  const removed = (text: string) => ({ op: 'removed' as const, text });
  const added = (text: string) => ({ op: 'added' as const, text });
  if ((a.length + 1) * (b.length + 1) > MAX_DIFF_CELLS) return [...a.map(removed), ...b.map(added)];
  const width = b.length + 1;
  const lcs = new Uint32Array((a.length + 1) * width);
  for (let i = a.length - 1; i >= 0; i--)
    for (let j = b.length - 1; j >= 0; j--)
      lcs[i * width + j] =
        a[i] === b[j]
          ? (lcs[(i + 1) * width + j + 1] ?? 0) + 1
          : Math.max(lcs[(i + 1) * width + j] ?? 0, lcs[i * width + j + 1] ?? 0);
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    if (a[i] === b[j]) {
      out.push({ op: 'same', text: a[i] ?? '' });
      i++;
      j++;
    } else if ((lcs[(i + 1) * width + j] ?? 0) >= (lcs[i * width + j + 1] ?? 0))
      out.push(removed(a[i++] ?? ''));
    else out.push(added(b[j++] ?? ''));
  }
  return [...out, ...a.slice(i).map(removed), ...b.slice(j).map(added)];
}
