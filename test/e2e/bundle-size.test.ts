import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';

/**
 * The portal's size budget on the build the e2e run uses (global setup builds it): what a
 * first visit downloads — the entry script, what it preloads and the stylesheet — at most
 * 150 KB gzipped, and no single chunk over 200 KB gzipped. Pages load lazily, by route.
 */
const dist = join(import.meta.dirname, '..', '..', 'web', 'dist');
const FIRST_LOAD_BUDGET = 150 * 1024;
const CHUNK_BUDGET = 200 * 1024;

const gzipped = async (file: string) => gzipSync(await readFile(join(dist, file)), { level: 9 }).length;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

describe('portal bundle', () => {
  it('keeps the first load within 150 KB gzipped and every chunk within 200 KB', async () => {
    const html = await readFile(join(dist, 'index.html'), 'utf8');
    const firstLoad = [
      ...html.matchAll(/<script[^>]+src="\/([^"]+)"/g),
      ...html.matchAll(/<link[^>]+rel="(?:modulepreload|stylesheet)"[^>]+href="\/([^"]+)"/g),
    ].map((match) => match[1] as string);
    const assets = (await readdir(join(dist, 'assets'))).filter((name) => /\.(js|css)$/.test(name));
    const sizes = Object.fromEntries(
      await Promise.all(
        assets.map(async (name) => [`assets/${name}`, await gzipped(`assets/${name}`)] as const),
      ),
    );
    const firstLoadBytes = firstLoad.reduce((sum, file) => sum + (sizes[file] ?? 0), 0);
    const total = Object.values(sizes).reduce((sum, size) => sum + size, 0);
    const largest = Object.entries(sizes).sort((a, b) => b[1] - a[1])[0] ?? ['none', 0];

    console.log(
      `portal bundle (gzip -9): first load ${kb(firstLoadBytes)} (${firstLoad.join(', ')}); ` +
        `all ${assets.length} files ${kb(total)}; largest ${largest[0]} ${kb(largest[1])}`,
    );
    expect(firstLoad.some((file) => file.endsWith('.js'))).toBe(true);
    expect(firstLoad.every((file) => file in sizes)).toBe(true);
    expect(assets.filter((name) => name.endsWith('.js')).length).toBeGreaterThan(5);
    expect(firstLoadBytes).toBeLessThanOrEqual(FIRST_LOAD_BUDGET);
    for (const [file, size] of Object.entries(sizes)) expect(size, file).toBeLessThanOrEqual(CHUNK_BUDGET);
  });
});
