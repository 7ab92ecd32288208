import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTransport } from 'nodemailer';
import { LOCAL_CLIENT_ID, LOCAL_SUPPORT_ADDRESS } from '#local/cloud.ts';
import { signIn } from '../test/support/sign-in.ts';
import { MAIL_READY_MARKER, type MailReadyReport } from './child-mail-cloud.ts';
import { LOAD_LIMITS } from './limits.ts';
import { watchCloud } from './mail.ts';
import { buildMail } from './mail-data.ts';
import { cloudMemory, spawnNode, stopChild } from './processes.ts';
import type { Figure, SuiteResult } from './report.ts';
import type { SuiteOptions } from './run.ts';

/**
 * The soak: agents working the queue through the API (list → get → reply → update, with a
 * pause between steps as a person makes) while mail arrives over SMTP at a steady rate, for
 * minutes, against the whole local cloud in a process of its own. Reports errors (any answer
 * but the expected one; a 409 from two agents updating one ticket is expected and counted
 * apart), p95 per operation, the cloud's resident memory after the warm-up and at the end,
 * every mail accounted for, and the dead-letter folder.
 */

interface Settings {
  readonly agents: number;
  readonly mailsPerSecond: number;
  readonly seconds: number;
  /** Memory is first read after this much of the run, once the heap has grown to its working size. */
  readonly warmupSeconds: number;
  /** Pause between an agent's steps. */
  readonly thinkMs: number;
}
const sizes: Record<SuiteOptions['size'], Settings> = {
  full: { agents: 50, mailsPerSecond: 20, seconds: 600, warmupSeconds: 60, thinkMs: 500 },
  quick: { agents: 50, mailsPerSecond: 20, seconds: 90, warmupSeconds: 20, thinkMs: 500 },
  smoke: { agents: 10, mailsPerSecond: 5, seconds: 10, warmupSeconds: 3, thinkMs: 500 },
};
const MEMORY_GROWTH_BUDGET = 10;
const QUEUE = 'service-desk';
const OPERATIONS = ['list', 'get', 'reply', 'update', 'mail'] as const;
type Operation = (typeof OPERATIONS)[number];

const percentile = (values: readonly number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
};

export async function runSoak(options: SuiteOptions): Promise<SuiteResult> {
  const settings = sizes[options.size];
  const workDir = await mkdtemp(join(tmpdir(), 'spoke-bench-soak-'));
  const dataDir = join(workDir, 'data');
  const cloud = spawnNode<MailReadyReport>(
    'bench/child-mail-cloud.ts',
    ['--data-dir', dataDir, '--seed', '--settings', JSON.stringify(LOAD_LIMITS)],
    MAIL_READY_MARKER,
  );
  cloud.child.stderr?.pipe(process.stderr);
  const watch = watchCloud(cloud);
  try {
    const ready = await cloud.report;
    const { urls } = ready;
    const tokens = await Promise.all(
      ['agent', 'admin'].map(async (username) => {
        const { body } = await signIn({
          issuer: urls.identity as string,
          clientId: LOCAL_CLIENT_ID,
          redirectUri: `${urls.portal}/auth/callback`,
          username,
        });
        if (!body.id_token) throw new Error(`Sign-in of ${username} failed: ${body.error}`);
        return body.id_token;
      }),
    );

    const latencies: Record<Operation, number[]> = { list: [], get: [], reply: [], update: [], mail: [] };
    const errors: string[] = [];
    let conflicts = 0;
    const call = async (operation: Operation, token: string, path: string, init: RequestInit = {}) => {
      const started = performance.now();
      const response = await fetch(`${urls.api}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${token}`,
          ...(init.body ? { 'content-type': 'application/json' } : {}),
        },
      }).catch((error: Error) => {
        // A refused or reset connection is an error of the run, not the end of it.
        errors.push(`${operation}: ${error.message} (${(error.cause as Error | undefined)?.message ?? ''})`);
        return undefined;
      });
      if (!response) return { status: 0, body: {} };
      const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
      latencies[operation].push(performance.now() - started);
      return { status: response.status, body };
    };
    const expect = (operation: Operation, status: number, wanted: number, body: unknown) => {
      if (status === wanted) return true;
      if (status === 0) return false;
      if (operation === 'update' && status === 409) {
        conflicts++;
        return false;
      }
      errors.push(`${operation}: ${status} ${JSON.stringify(body).slice(0, 200)}`);
      return false;
    };

    const deadline = performance.now() + settings.seconds * 1000;
    const agent = async (n: number) => {
      const token = tokens[n % tokens.length] as string;
      await sleep(Math.random() * settings.thinkMs);
      while (performance.now() < deadline) {
        const list = await call('list', token, `/api/tickets?view=queue&group=${QUEUE}&limit=25`);
        const items = (list.body.items ?? []) as { id: string }[];
        if (!expect('list', list.status, 200, list.body) || items.length === 0) {
          await sleep(settings.thinkMs);
          continue;
        }
        const picked = items[Math.floor(Math.random() * items.length)] as { id: string };
        await sleep(settings.thinkMs);
        const got = await call('get', token, `/api/tickets/${picked.id}`);
        if (!expect('get', got.status, 200, got.body)) continue;
        await sleep(settings.thinkMs);
        const reply = await call('reply', token, `/api/tickets/${picked.id}/articles`, {
          method: 'POST',
          body: JSON.stringify({ type: n % 2 ? 'reply' : 'note', body: `Looking into it (agent ${n}).` }),
        });
        if (!expect('reply', reply.status, 201, reply.body)) continue;
        const version = (reply.body.ticket as { version?: number } | undefined)?.version;
        const current = version ?? ((got.body.ticket ?? got.body) as { version: number }).version;
        await sleep(settings.thinkMs);
        const update = await call('update', token, `/api/tickets/${picked.id}`, {
          method: 'PATCH',
          body: JSON.stringify({ version: current, urgency: 1 + Math.floor(Math.random() * 3) }),
        });
        expect('update', update.status, 200, update.body);
        await sleep(settings.thinkMs);
      }
    };

    const transport = createTransport({
      pool: true,
      maxConnections: 4,
      host: '127.0.0.1',
      port: Number(new URL(urls.smtp as string).port),
      secure: false,
      ignoreTLS: true,
    });
    let sent = 0;
    const mailer = async () => {
      const started = performance.now();
      const inFlight = new Set<Promise<void>>();
      while (performance.now() < deadline) {
        const due = started + (sent * 1000) / settings.mailsPerSecond;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
        const mail = buildMail({
          index: sent,
          size: 'small',
          supportAddress: LOCAL_SUPPORT_ADDRESS,
          senders: 500,
          run: 'soak',
        });
        sent++;
        const began = performance.now();
        const work = transport
          .sendMail({ envelope: { from: mail.from, to: [LOCAL_SUPPORT_ADDRESS] }, raw: mail.raw })
          .then(
            () => void latencies.mail.push(performance.now() - began),
            (error: Error) => void errors.push(`mail: ${error.message}`),
          );
        inFlight.add(work);
        void work.finally(() => inFlight.delete(work));
      }
      await Promise.all(inFlight);
    };

    const seeded = watch.outcomes.length;
    const dynamodbPort = Number(new URL(urls.dynamodb as string).port);
    const memoryAtStart = sleep(settings.warmupSeconds * 1000).then(() =>
      cloudMemory(ready.pid, dynamodbPort),
    );
    await Promise.all([mailer(), ...Array.from({ length: settings.agents }, (_, n) => agent(n))]);
    transport.close();
    const drained = performance.now();
    await watch.idle();
    const drainMs = performance.now() - drained;
    const start = await memoryAtStart;
    const end = await cloudMemory(ready.pid, dynamodbPort);
    const deadLetters = (await readdir(join(dataDir, 'dead-letters')).catch(() => [])).length;
    const outcomes = watch.outcomes.slice(seeded);
    const processed = outcomes.filter((o) => o.outcome === 'ticket' || o.outcome === 'article').length;
    const growth = (before: number, after: number) => ((after - before) / before) * 100;

    const figures: Figure[] = [
      {
        name: 'errors',
        value: errors.length,
        unit: 'n',
        target: 0,
        note: errors.length
          ? errors.slice(0, 3).join(' | ')
          : `${conflicts} expected 409s (two agents, one ticket)`,
      },
      ...OPERATIONS.map(
        (operation): Figure => ({
          name: `${operation}: p95`,
          value: percentile(latencies[operation], 95),
          unit: 'ms',
          note: `${latencies[operation].length} calls, p50 ${percentile(latencies[operation], 50).toFixed(1)} ms${operation === 'mail' ? ' (SMTP accept: stored in S3, queued)' : ''}`,
        }),
      ),
      {
        name: 'mails sent / processed',
        value: sent - processed,
        unit: 'n',
        target: 0,
        note: `${sent} sent, ${processed} became a ticket or an article, ${outcomes.length - processed} other outcomes; drained ${Math.round(drainMs)} ms after the last`,
      },
      { name: 'dead letters', value: deadLetters, unit: 'n', target: 0 },
      {
        name: 'cloud node RSS: start → end growth',
        value: growth(start.nodeMB, end.nodeMB),
        unit: '%',
        target: MEMORY_GROWTH_BUDGET,
        note: `${start.nodeMB.toFixed(0)} MB after ${settings.warmupSeconds} s → ${end.nodeMB.toFixed(0)} MB at the end`,
      },
      {
        name: 'DynamoDB Local JVM RSS: start → end growth',
        value: growth(start.jvmMB, end.jvmMB),
        unit: '%',
        target: MEMORY_GROWTH_BUDGET,
        note: `${start.jvmMB.toFixed(0)} MB → ${end.jvmMB.toFixed(0)} MB`,
      },
      {
        name: 'cloud process tree RSS: start → end growth',
        value: growth(start.totalMB, end.totalMB),
        unit: '%',
        target: MEMORY_GROWTH_BUDGET,
        note: `${start.totalMB.toFixed(0)} MB → ${end.totalMB.toFixed(0)} MB`,
      },
    ];
    return {
      suite: 'soak',
      figures,
      notes: [
        `${settings.agents} agents (sharing the seeded agent's and admin's tokens) work the ${QUEUE} queue for ${settings.seconds} s with ${settings.thinkMs} ms between steps, while ${settings.mailsPerSecond} new 5 KB mails/s arrive over SMTP; the API is called over HTTP through the local API Gateway (JWT verified).`,
      ],
    };
  } finally {
    await stopChild(cloud);
    await rm(workDir, { recursive: true, force: true });
  }
}
