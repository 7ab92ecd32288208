import { ValidationError } from '#core/shared/errors.ts';

/**
 * Opaque list cursors: the `LastEvaluatedKey` of a Query, base64url-encoded. A cursor is
 * only accepted for the partition it came from and with exactly the key attributes of the
 * table or index it pages, so a forged one neither opens another list nor trips DynamoDB.
 */
export function encodeCursor(lastEvaluatedKey: Record<string, unknown> | undefined): string | undefined {
  if (!lastEvaluatedKey) return undefined;
  return Buffer.from(JSON.stringify(lastEvaluatedKey), 'utf8').toString('base64url');
}

export function decodeCursor(
  cursor: string | undefined,
  partition: { readonly name: string; readonly value: string; readonly sortKeyPrefix?: string },
): Record<string, string> | undefined {
  if (cursor === undefined) return undefined;
  const invalid = () =>
    new ValidationError('Invalid cursor', [{ path: 'cursor', message: 'is not a cursor of this list' }]);
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new ValidationError(
      'Invalid cursor',
      [{ path: 'cursor', message: 'is not a cursor of this list' }],
      { cause },
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw invalid();
  const entries = Object.entries(parsed);
  if (
    entries.length > 6 ||
    !entries.every(([, v]) => typeof v === 'string' && v.length > 0 && v.length <= 1024)
  )
    throw invalid();
  const key = Object.fromEntries(entries) as Record<string, string>;
  if (key[partition.name] !== partition.value) throw invalid();
  const index = /^(gsi\d+)pk$/.exec(partition.name)?.[1];
  const expected = ['pk', 'sk', ...(index ? [`${index}pk`, `${index}sk`] : [])].sort();
  if (JSON.stringify(Object.keys(key).sort()) !== JSON.stringify(expected)) throw invalid();
  const sortKey = index ? `${index}sk` : 'sk';
  if (partition.sortKeyPrefix && !key[sortKey]?.startsWith(partition.sortKeyPrefix)) throw invalid();
  return key;
}
