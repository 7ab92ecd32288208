import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { type Browser, chromium, type Locator, type Page } from 'playwright-core';
import { LOCAL_CLIENT_ID, startLocalCloud } from '#local/cloud.ts';
import { DEMO_PASSWORD } from '#local/demo-users.ts';
import { ensurePortalBuilt, webDir } from '#local/portal-build.ts';
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/e2e/global-setup.ts';
import { signIn } from '../test/support/sign-in.ts';
import { UNLIMITED_TICKET_OPENS } from './processes.ts';
import type { Figure, SuiteResult } from './report.ts';
import type { SuiteOptions } from './run.ts';

/**
 * The portal suite: time to interactive of the home page and of a queue of 50 tickets in
 * Debian's Chromium against the local cloud, each from a cold browser cache (a fresh browser
 * context per run, signed in by copying the tab's session), plus the bundle sizes.
 *
 * "Interactive" here is Lighthouse's idea on a small scale: the page's main content is on
 * screen (the home heading; all 50 queue rows) and no long task (> 50 ms) runs after it;
 * TTI is the later of the content time and the end of the last long task, measured from
 * navigation start by the page's own clock. No CPU or network throttling: these are
 * loopback figures for this machine, to compare runs with each other.
 */
const QUEUE_SIZE = 50;
const HOME_TARGET_MS = 1000;
const QUEUE_TARGET_MS = 1500;

const median = (values: readonly number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

/**
 * Installed through the DevTools protocol (not a script tag, which the CSP refuses) before the
 * page's own code: records long tasks, and the moment the main content is on screen.
 */
const recorder = (ready: string) => `
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) window.__longTasks.push(entry.startTime + entry.duration);
  }).observe({ type: 'longtask', buffered: true });
  const isReady = () => ${ready};
  new MutationObserver((_, observer) => {
    if (window.__contentAt === undefined && isReady()) {
      window.__contentAt = performance.now();
      observer.disconnect();
    }
  }).observe(document, { childList: true, subtree: true, characterData: true });
`;

async function bundleFigures(): Promise<Figure[]> {
  const dist = join(webDir, 'dist');
  const html = await readFile(join(dist, 'index.html'), 'utf8');
  const firstLoad = [
    ...html.matchAll(/<script[^>]+src="\/([^"]+)"/g),
    ...html.matchAll(/<link[^>]+rel="(?:modulepreload|stylesheet)"[^>]+href="\/([^"]+)"/g),
  ].map((m) => m[1] as string);
  const files = (await readdir(join(dist, 'assets'))).filter((name) => /\.(js|css)$/.test(name));
  const sizes = new Map<string, number>();
  for (const name of files) {
    sizes.set(
      `assets/${name}`,
      gzipSync(await readFile(join(dist, 'assets', name)), { level: 9 }).length / 1024,
    );
  }
  const sum = (names: Iterable<string>) =>
    [...names].reduce((total, name) => total + (sizes.get(name) ?? 0), 0);
  return [
    { name: 'portal first load (gzip)', value: sum(firstLoad), unit: 'KB', target: 150 },
    { name: 'portal all JS and CSS (gzip)', value: sum(sizes.keys()), unit: 'KB' },
    { name: 'portal largest chunk (gzip)', value: Math.max(...sizes.values()), unit: 'KB', target: 200 },
  ];
}

export async function runPortal(options: SuiteOptions): Promise<SuiteResult> {
  const runs = { smoke: 1, quick: 3, full: 7 }[options.size];
  await ensurePortalBuilt();
  const dataDir = await mkdtemp(join(tmpdir(), 'spoke-bench-portal-'));
  const cloud = await startLocalCloud({
    dataDir,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
    seed: false,
    quiet: true,
    settings: UNLIMITED_TICKET_OPENS,
  });
  let browser: Browser | undefined;
  try {
    const token = async (username: string) =>
      (
        await signIn({
          issuer: cloud.urls.identity,
          clientId: LOCAL_CLIENT_ID,
          redirectUri: `${cloud.urls.portal}/auth/callback`,
          username,
        })
      ).body.id_token ?? '';
    const [admin, employee] = [await token('admin'), await token('employee')];
    const call = async (as: string, method: string, path: string, body: unknown) => {
      const response = await fetch(`${cloud.urls.api}/api${path}`, {
        method,
        headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    };
    await call(admin, 'POST', '/groups', { id: 'bench-desk', name: 'Bench Desk' });
    await call(admin, 'POST', '/groups/bench-desk/members', { email: 'alex.agent@example.com' });
    await call(admin, 'PUT', '/routing', { version: 0, defaultGroup: 'bench-desk', rules: [] });
    for (let i = 0; i < QUEUE_SIZE; i++) {
      await call(employee, 'POST', '/tickets', {
        shortDescription: `Bench ticket ${i + 1}: the shared drive is slow`,
        description: 'Opening files on the shared drive takes a minute since this morning.',
        impact: ((i % 3) + 1) as 1 | 2 | 3,
        urgency: (((i + 1) % 3) + 1) as 1 | 2 | 3,
      });
    }

    const agent = await token('agent');
    const apiQueue: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const response = await fetch(
        `${cloud.urls.api}/api/tickets?view=queue&group=bench-desk&state=new&limit=${QUEUE_SIZE}`,
        { headers: { authorization: `Bearer ${agent}` } },
      );
      await response.json();
      apiQueue.push(performance.now() - started);
    }

    browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
    const signInContext = await browser.newContext();
    const signInPage = await signInContext.newPage();
    await signInPage.goto(cloud.urls.portal);
    await signInPage.getByRole('button', { name: 'Sign in' }).click();
    await signInPage.getByLabel('Username').fill('agent');
    await signInPage.getByLabel('Password').fill(DEMO_PASSWORD);
    await signInPage.getByRole('button', { name: 'Sign in' }).click();
    await signInPage.getByRole('heading', { name: /How can we help/ }).waitFor();
    const session = await signInPage.evaluate<[string, string][]>('Object.entries(sessionStorage)');
    await signInContext.close();

    const measure = async (
      path: string,
      ready: string,
      readyLocator: (page: Page) => Locator,
    ): Promise<number> => {
      const context = await (browser as Browser).newContext({ viewport: { width: 1280, height: 800 } });
      await context.addInitScript(
        `(${(entries: [string, string][]) => {
          for (const [key, value] of entries) sessionStorage.setItem(key, value);
        }})(${JSON.stringify(session)});${recorder(ready)}`,
      );
      const page = await context.newPage();
      await page.goto(`${cloud.urls.portal}${path}`);
      await readyLocator(page).waitFor();
      await page.waitForTimeout(500);
      const contentAt = await page.evaluate<number>('window.__contentAt');
      const lastLongTask = await page.evaluate<number>('Math.max(0, ...window.__longTasks)');
      const timeline = await page.evaluate<string>(`JSON.stringify({
        dcl: Math.round(performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd),
        resources: performance.getEntriesByType('resource').map((r) => [r.name.replace(location.origin, '').slice(0, 60), Math.round(r.startTime), Math.round(r.responseEnd)]),
        content: Math.round(window.__contentAt), longTask: Math.round(Math.max(0, ...window.__longTasks)),
      })`);
      if (process.env.BENCH_PORTAL_TRACE) console.error(path, timeline);
      await context.close();
      return Math.max(contentAt, lastLongTask);
    };

    const home: number[] = [];
    const queue: number[] = [];
    for (let i = 0; i < runs; i++) {
      home.push(
        await measure(
          '/',
          `document.querySelector('h1')?.textContent?.startsWith('How can we help') === true`,
          (page) => page.getByRole('heading', { name: /How can we help/ }),
        ),
      );
      queue.push(
        await measure(
          '/work?view=queue&group=bench-desk&state=new',
          `document.querySelectorAll('.queue-table tbody tr').length === ${QUEUE_SIZE}`,
          (page) => page.locator('.queue-table tbody tr').nth(QUEUE_SIZE - 1),
        ),
      );
    }
    return {
      suite: 'portal',
      figures: [
        { name: 'home TTI, cold cache (median)', value: median(home), unit: 'ms', target: HOME_TARGET_MS },
        { name: 'home TTI, cold cache (worst)', value: Math.max(...home), unit: 'ms' },
        {
          name: `queue of ${QUEUE_SIZE} TTI, cold cache (median)`,
          value: median(queue),
          unit: 'ms',
          target: QUEUE_TARGET_MS,
        },
        { name: `queue of ${QUEUE_SIZE} TTI, cold cache (worst)`, value: Math.max(...queue), unit: 'ms' },
        {
          name: `API page of ${QUEUE_SIZE} queue tickets (median)`,
          value: median(apiQueue),
          unit: 'ms',
          note: 'the list call alone, for scale',
        },
        ...(await bundleFigures()),
      ],
      notes: [
        `${runs} runs each in Debian Chromium (headless), a fresh context per run (cold HTTP cache), signed in as the demo agent; no throttling.`,
        `Runs (ms): home ${home.map((v) => Math.round(v)).join(', ')}; queue ${queue.map((v) => Math.round(v)).join(', ')}.`,
        'TTI = max(main content rendered, end of the last long task), from navigation start.',
      ],
    };
  } finally {
    await browser?.close();
    await cloud.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
