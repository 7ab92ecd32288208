import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const browserModule = join(import.meta.dirname, '..', 'support', 'browser.ts');
let scratch: string;

beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'spoke-browser-test-'));
});

afterAll(async () => {
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

/** One fresh process asking for the npm Chromium with its temp folder in `scratch`, as a first run would. */
const firstRun = () =>
  run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `const { resolveBrowser } = await import(${JSON.stringify(browserModule)});
       process.stdout.write(JSON.stringify(await resolveBrowser({ SPOKE_BROWSER: 'npm' })));`,
    ],
    { env: { ...process.env, TMPDIR: scratch }, maxBuffer: 1024 * 1024 },
  );

describe('the npm Chromium', () => {
  it('unpacks once when three first runs start together, leaving one complete browser and no half copies', async () => {
    const answers = await Promise.all([firstRun(), firstRun(), firstRun()]);
    const choices = answers.map(
      ({ stdout }) => JSON.parse(stdout) as { executablePath: string; env: Record<string, string> },
    );
    const [choice] = choices;

    expect(new Set(choices.map((c) => c.executablePath)).size).toBe(1);
    expect((await readdir(scratch)).filter((name) => name.startsWith('spoke-chromium-'))).toEqual([
      'spoke-chromium-153.0.0',
    ]);
    const { stdout } = await run(
      choice?.executablePath as string,
      ['--headless', '--no-sandbox', '--version'],
      {
        env: { ...process.env, ...choice?.env },
      },
    );
    expect(stdout).toMatch(/Chromium 153\./);
  });
});
