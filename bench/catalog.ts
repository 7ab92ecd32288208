import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkAnswers, FormDefinition } from '#core/catalog/form.ts';
import { LOCAL_CLIENT_ID, startLocalCloud } from '#local/cloud.ts';
import { demoItems } from '#local/seed-catalog.ts';
import { signIn } from '../test/support/sign-in.ts';
import { type Figure, loadNote, type SuiteResult } from './report.ts';
import type { SuiteOptions } from './run.ts';

/**
 * The service catalog on the local product (issue 14): order → first fulfilment task created
 * (through the HTTP API, DynamoDB Local and the synthesized request state machine on the local
 * runner), form validation per submission (in process, and as `POST /api/requests/check`), and
 * a 12-task onboarding plan (four stages of three parallel tasks) from order to fulfilled, each
 * task closed by an agent as soon as it is open.
 */
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

const onboarding = {
  id: 'bench-onboarding',
  name: 'Bench onboarding',
  category: 'people',
  form: [{ id: 'full_name', label: 'Full name', type: 'text', required: true }],
  plan: {
    stages: [
      ['Laptop from stock', 'Phone from stock', 'Directory account'],
      ['Mail account', 'Mail groups', 'Badge'],
      ['VPN access', 'Software licences', 'Printer access'],
      ['Desk set-up', 'Handover', 'Welcome call'],
    ].map((titles, s) => ({
      tasks: titles.map((title, t) => ({ title, group: (s + t) % 2 === 0 ? 'service-desk' : 'workplace' })),
    })),
  },
};

const newEmployeeAnswers = {
  full_name: 'Bench Person',
  start_date: '2027-03-01',
  manager: 'morgan.manager@example.com',
  role: 'engineering',
  needs_phone: true,
  phone_model: 'pixel-9',
  mail_groups: 'all-staff\nengineering',
};

export async function runCatalog(options: SuiteOptions): Promise<SuiteResult> {
  // Form validation in process: the onboarding form, the biggest seeded one.
  const form = FormDefinition.parse(demoItems.find((item) => item.id === 'new-employee')?.form);
  const checks = { smoke: 2_000, quick: 20_000, full: 100_000 }[options.size];
  const checkStarted = performance.now();
  for (let i = 0; i < checks; i++) {
    const { problems } = checkAnswers(form, newEmployeeAnswers);
    if (problems.length > 0) throw new Error(`The bench answers do not fit: ${JSON.stringify(problems)}`);
  }
  const perCheckMs = (performance.now() - checkStarted) / checks;

  const dataDir = await mkdtemp(join(tmpdir(), 'spoke-bench-catalog-'));
  const cloud = await startLocalCloud({
    dataDir,
    quiet: true,
    ports: { portal: 0, api: 0, identity: 0, outbox: 0, s3: 0, dynamodb: 0, smtp: 0 },
  });
  try {
    const token = async (username: string) => {
      const { body } = await signIn({
        issuer: cloud.urls.identity,
        clientId: LOCAL_CLIENT_ID,
        redirectUri: `${cloud.urls.portal}/auth/callback`,
        username,
      });
      return body.id_token as string;
    };
    const [employee, agent, admin, manager] = await Promise.all(
      ['employee', 'agent', 'admin', 'manager'].map(token),
    );
    const call = async <T>(path: string, as: string | undefined, method = 'GET', body?: unknown) => {
      const response = await fetch(`${cloud.urls.api}${path}`, {
        method,
        headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as T;
    };
    type Progress = {
      request: { state: string };
      tasks: { id: string; state: string }[];
    };
    const progress = (id: string) => call<Progress>(`/api/requests/${id}`, employee);
    const until = async <T>(probe: () => Promise<T | undefined | false>, ms = 60_000) => {
      for (const start = Date.now(); ; ) {
        const value = await probe();
        if (value) return value;
        if (Date.now() - start > ms) throw new Error('Timed out');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    };

    // 1. Validation over HTTP: a manager (people-managers) checks the onboarding order.
    const httpChecks = { smoke: 10, quick: 40, full: 100 }[options.size];
    const checkLatencies: number[] = [];
    for (let i = 0; i < httpChecks + 3; i++) {
      const started = performance.now();
      await call('/api/requests/check', manager, 'POST', {
        items: [{ itemId: 'new-employee', answers: newEmployeeAnswers }],
      });
      if (i >= 3) checkLatencies.push(performance.now() - started);
    }

    // 2. Order → first task created: the password reset needs no approval; its first task opens at once.
    const samples = { smoke: 3, quick: 10, full: 30 }[options.size];
    const firstTask: number[] = [];
    for (let i = 0; i < samples; i++) {
      const started = performance.now();
      const request = await call<{ id: string }>('/api/requests', employee, 'POST', {
        items: [
          {
            itemId: 'password-reset',
            answers: { system: 'erp', unlock_only: true, callback: '+49 30 1234567' },
          },
        ],
      });
      await until(async () => (await progress(request.id)).tasks.length > 0);
      firstTask.push(performance.now() - started);
    }

    // 3. A 12-task onboarding plan end to end, each task closed by the agent as soon as it is open.
    await call('/api/catalog/items', admin, 'POST', onboarding);
    const runs = { smoke: 1, quick: 2, full: 5 }[options.size];
    const endToEnd: number[] = [];
    for (let i = 0; i < runs; i++) {
      const started = performance.now();
      const request = await call<{ id: string }>('/api/requests', employee, 'POST', {
        items: [{ itemId: onboarding.id, answers: { full_name: `Bench ${i}` } }],
      });
      const closed = new Set<string>();
      await until(async () => {
        const now = await progress(request.id);
        for (const task of now.tasks)
          if (task.state === 'open' && !closed.has(task.id)) {
            const { version } = await call<{ version: number }>(`/api/tasks/${task.id}`, agent);
            await call(`/api/tasks/${task.id}`, agent, 'PATCH', {
              version,
              state: 'closed',
              closeNote: 'Done.',
              assignee: 'me',
            });
            closed.add(task.id);
          }
        return now.request.state === 'fulfilled' && closed.size === 12;
      }, 120_000);
      endToEnd.push(performance.now() - started);
    }

    const figures: Figure[] = [
      {
        name: 'order → first task created, p50',
        value: percentile(firstTask, 50),
        unit: 'ms',
        note: `p95 ${Math.round(percentile(firstTask, 95))} ms; ${samples} orders one at a time (no approval)`,
      },
      {
        name: 'form validation per submission (in process)',
        value: perCheckMs,
        unit: 'ms',
        note: `the 7-field onboarding form with a condition, ${checks} submissions`,
      },
      {
        name: 'form validation per submission (POST /api/requests/check) p50',
        value: percentile(checkLatencies, 50),
        unit: 'ms',
        note: `p95 ${Math.round(percentile(checkLatencies, 95))} ms; ${httpChecks} after 3 warm-up`,
      },
      {
        name: '12-task onboarding plan, order → fulfilled, p50',
        value: percentile(endToEnd, 50),
        unit: 'ms',
        note: `${runs} run(s); 4 stages of 3 parallel tasks, each closed by an agent once open`,
      },
    ];
    return { suite: 'catalog', figures, notes: [loadNote('at the end')] };
  } finally {
    await cloud.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
