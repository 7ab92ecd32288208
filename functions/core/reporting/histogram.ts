/**
 * Durations as histograms, so that medians survive pre-aggregation. A mean is additive (a sum
 * and a count per day add up over any range); a median is not: the median of a month is not
 * the median of its days' medians. Each day and dimension therefore keeps how many durations
 * fell into each of a fixed set of buckets; buckets add up over days and dimensions like any
 * counter, and the median of any range is read from the merged buckets, interpolated linearly
 * inside the bucket holding the middle value. The error is at most that bucket's width; the
 * edges grow roughly geometrically (about ×1.5–2), so the error stays a similar share of the
 * value from a minute to a month. Counters are business minutes.
 */

/** Upper edges of the buckets, in minutes; the last bucket is open-ended. */
export const BUCKET_EDGES: readonly number[] = [
  1, 2, 5, 10, 15, 30, 45, 60, 90, 120, 180, 240, 360, 480, 600, 900, 1200, 1800, 2400, 3000, 4800, 6000,
  9000, 12000, 18000, 30000,
];

/** Index of the bucket a duration falls in (`BUCKET_EDGES.length` for the open-ended one). */
export function bucketOf(minutes: number): number {
  const index = BUCKET_EDGES.findIndex((edge) => minutes < edge);
  return index === -1 ? BUCKET_EDGES.length : index;
}

/** The counter attribute of a bucket of a measure: `resH07`. */
export const bucketCounter = (measure: string, bucket: number): string =>
  `${measure}H${String(bucket).padStart(2, '0')}`;

/** The buckets of a measure out of summed counters, by index. */
export function bucketsOf(counters: Readonly<Record<string, number>>, measure: string): number[] {
  return Array.from({ length: BUCKET_EDGES.length + 1 }, (_, i) => counters[bucketCounter(measure, i)] ?? 0);
}

/**
 * The `q`-quantile (0.5: median) of the durations the buckets counted, interpolated inside its
 * bucket; the open-ended bucket answers with its lower edge. Undefined when nothing was counted.
 */
export function quantile(buckets: readonly number[], q: number): number | undefined {
  const total = buckets.reduce((sum, n) => sum + n, 0);
  if (total <= 0) return undefined;
  const rank = q * total;
  let seen = 0;
  for (const [i, n] of buckets.entries()) {
    if (n <= 0) continue;
    if (seen + n >= rank) {
      const low = i === 0 ? 0 : (BUCKET_EDGES[i - 1] as number);
      const high = BUCKET_EDGES[i];
      if (high === undefined) return low;
      return low + ((rank - seen) / n) * (high - low);
    }
    seen += n;
  }
  return BUCKET_EDGES.at(-1);
}
