import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from '#adapters/dynamodb/cursor.ts';
import { checkJava, claimPort, javaMajorVersion, PreflightError } from '#local/preflight.ts';

describe('preflight checks of npm start', () => {
  it('reads the Java major version from both version styles', () => {
    expect(javaMajorVersion('openjdk version "17.0.15" 2025-04-15')).toBe(17);
    expect(javaMajorVersion('java version "1.8.0_392"')).toBe(8);
    expect(javaMajorVersion('openjdk version "21" 2023-09-19')).toBe(21);
    expect(javaMajorVersion('command not found')).toBeUndefined();
  });

  it('says in one sentence that Java is missing, and how to get it', async () => {
    const failure = checkJava('/nonexistent/bin/java');
    await expect(failure).rejects.toBeInstanceOf(PreflightError);
    await expect(failure).rejects.toThrow(
      /^Java 17 or newer is needed for DynamoDB Local, but .* could not be run: install/,
    );
  });

  it('names a busy port and what wanted it in one sentence', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as { port: number }).port;
    try {
      const failure = claimPort(port, 'portal');
      await expect(failure).rejects.toBeInstanceOf(PreflightError);
      await expect(failure).rejects.toThrow(`Port ${port} (portal) is already in use`);
    } finally {
      holder.close();
    }
  });
});

describe('list cursors', () => {
  const partition = { name: 'gsi1pk', value: 'REQUESTER#emma@example.com' };

  it('round-trip a key of the same list', () => {
    const key = { gsi1pk: partition.value, gsi1sk: '2026#x', pk: 'TICKET#x', sk: '#TICKET' };
    expect(decodeCursor(encodeCursor(key), partition)).toEqual(key);
  });

  it('refuse garbage and cursors of another list, naming the cursor field', () => {
    const foreign = encodeCursor({ gsi1pk: 'REQUESTER#bob@example.com', gsi1sk: 'x' });
    for (const cursor of ['%%%', 'bm90IGpzb24', foreign]) {
      expect(() => decodeCursor(cursor, partition)).toThrow(
        expect.objectContaining({ fields: [{ path: 'cursor', message: expect.any(String) }] }),
      );
    }
  });
});

describe('forged cursors', () => {
  const history = { name: 'pk', value: 'TICKET#t1', sortKeyPrefix: '~AUDIT#' };
  const mine = { name: 'gsi1pk', value: 'REQUESTER#emma@example.com' };
  const encode = (key: object) => Buffer.from(JSON.stringify(key)).toString('base64url');

  it('are refused when the key attributes are not exactly those of the index or table', () => {
    for (const key of [
      { gsi1pk: mine.value },
      { gsi1pk: mine.value, gsi1sk: 'x', pk: 'TICKET#x' },
      { ...{ gsi1pk: mine.value, gsi1sk: 'x', pk: 'p', sk: 's' }, extra: 'x' },
    ]) {
      expect(() => decodeCursor(encode(key), mine)).toThrow(
        expect.objectContaining({ fields: [expect.objectContaining({ path: 'cursor' })] }),
      );
    }
  });

  it('are refused when the sort key lies outside the list’s range', () => {
    expect(() => decodeCursor(encode({ pk: 'TICKET#t1', sk: 'zzz' }), history)).toThrow(/Invalid cursor/);
    expect(decodeCursor(encode({ pk: 'TICKET#t1', sk: '~AUDIT#2026' }), history)).toEqual({
      pk: 'TICKET#t1',
      sk: '~AUDIT#2026',
    });
  });
});
