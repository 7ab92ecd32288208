import { ValidationError } from '#core/shared/errors.ts';

/**
 * Opaque list cursors: the `LastEvaluatedKey` of a Query, base64url-encoded. A cursor is
 * only accepted for the partition it came from, so a forged one cannot open another list.
 */
export function encodeCursor(lastEvaluatedKey: Record<string, unknown> | undefined): string | undefined {
  if (!lastEvaluatedKey) return undefined;
  return Buffer.from(JSON.stringify(lastEvaluatedKey), 'utf8').toString('base64url');
}

export function decodeCursor(
  cursor: string | undefined,
  partition: { readonly name: string; readonly value: string },
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
  if (entries.length > 6 || !entries.every(([, v]) => typeof v === 'string' && v.length <= 1024))
    throw invalid();
  const key = Object.fromEntries(entries) as Record<string, string>;
  if (key[partition.name] !== partition.value) throw invalid();
  return key;
}
