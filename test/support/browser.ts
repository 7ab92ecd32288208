import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';

/**
 * The browser of the e2e tests and the portal benchmark, with nothing installed beyond `npm ci`:
 * Debian's Chromium where the machine has it, otherwise the headless Chromium that the npm
 * package `@sparticuz/chromium` carries (unpacked once to the temp folder, about 2 s).
 * `SPOKE_BROWSER=npm` forces the npm one, `SPOKE_BROWSER=debian` Debian's.
 */

/** Debian's Chromium (`apt-get install chromium`), used when present. */
export const DEBIAN_CHROMIUM = '/usr/bin/chromium';

/**
 * The suite's own flags, whichever Chromium runs. Not the npm package's defaults: they include
 * `--disable-web-security` (which would hide CSP and CORS faults) and `--single-process`.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

export interface BrowserChoice {
  readonly kind: 'debian' | 'npm';
  readonly executablePath: string;
  /** Variables the browser process needs besides the test process's own. */
  readonly env: Readonly<Record<string, string>>;
}

/**
 * Unpacks `@sparticuz/chromium` into `<tmp>/spoke-chromium-<version>`: first into a folder of
 * its own, then renamed into place in one step, so runs starting together never see half a
 * browser (the one that renames second throws its copy away). The package's own unpacking
 * writes to fixed paths in /tmp and answers "ready" while another process is still writing.
 */
async function npmChromium(): Promise<BrowserChoice> {
  const packageRoot = fileURLToPath(new URL('../../node_modules/@sparticuz/chromium/', import.meta.url));
  const { version } = JSON.parse(await readFile(join(packageRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  const home = join(tmpdir(), `spoke-chromium-${version}`);
  const choice: BrowserChoice = {
    kind: 'npm',
    executablePath: join(home, 'chromium'),
    env: {
      // NSS, NSPR and expat come with the package (built for Amazon Linux 2023, glibc only beyond them).
      LD_LIBRARY_PATH: [join(home, 'al2023', 'lib'), process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'),
      FONTCONFIG_FILE: join(home, 'fonts.conf'),
    },
  };
  if (existsSync(choice.executablePath)) return choice;

  const { inflate } = (await import('@sparticuz/chromium')) as unknown as {
    inflate(file: string): Promise<string>;
  };
  const bin = join(packageRoot, 'bin');
  const staging = await mkdtemp(`${home}-`);
  // inflate() unpacks into os.tmpdir(), read when each call starts: point it at the staging folder.
  const previous = process.env.TMPDIR;
  process.env.TMPDIR = staging;
  let unpacking: Promise<string[]>;
  try {
    unpacking = Promise.all(
      ['chromium.br', 'fonts.tar.br', 'swiftshader.tar.br', 'al2023.tar.br'].map((file) =>
        inflate(join(bin, file)),
      ),
    );
  } finally {
    if (previous === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = previous;
  }
  try {
    await unpacking;
    // The package's fonts.conf names /tmp/fonts; this one names where the fonts are (and the system's).
    await writeFile(
      join(staging, 'fonts.conf'),
      `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <dir>${join(home, 'fonts')}</dir>\n  <dir>/usr/share/fonts</dir>\n  <cachedir>${join(home, 'fonts-cache')}</cachedir>\n</fontconfig>\n`,
    );
    await rename(staging, home);
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EEXIST' && code !== 'ENOTEMPTY') throw error;
  }
  if (!existsSync(choice.executablePath))
    throw new Error(`Unpacking @sparticuz/chromium left no ${choice.executablePath}`);
  return choice;
}

/** Which Chromium runs: `SPOKE_BROWSER` decides, else Debian's when present, else the npm one. */
export async function resolveBrowser(env: NodeJS.ProcessEnv = process.env): Promise<BrowserChoice> {
  const wanted = env.SPOKE_BROWSER;
  if (wanted !== undefined && wanted !== 'npm' && wanted !== 'debian')
    throw new Error(`SPOKE_BROWSER must be npm or debian, not ${wanted}`);
  if (wanted !== 'npm' && existsSync(DEBIAN_CHROMIUM))
    return { kind: 'debian', executablePath: DEBIAN_CHROMIUM, env: {} };
  if (wanted === 'debian')
    throw new Error(`SPOKE_BROWSER=debian but ${DEBIAN_CHROMIUM} is missing: apt-get install -y chromium`);
  return npmChromium();
}

/** Launches the chosen Chromium headless with the suite's flags. */
export async function launchBrowser(): Promise<Browser> {
  const choice = await resolveBrowser();
  return chromium.launch({
    executablePath: choice.executablePath,
    args: CHROMIUM_ARGS,
    ...(choice.kind === 'npm' ? { env: { ...process.env, ...choice.env } } : {}),
  });
}
