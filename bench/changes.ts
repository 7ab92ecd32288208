import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LOCAL_CLIENT_ID, startLocalCloud } from '#local/cloud.ts';
import { mediumRiskAnswers } from '#local/seed-changes.ts';
import { signIn } from '../test/support/sign-in.ts';
import type { Figure, SuiteResult } from './report.ts';
import type { SuiteOptions } from './run.ts';

/**
 * Change approvals on the local product (issue 5): how long from submitting a change until its
 * approval request is in the SES outbox, and how many approval executions per second the local
 * runner completes end to end (submit → request mail → decision → scheduled), through the HTTP
 * API, DynamoDB Local and the synthesized state machine.
 */
const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
};

export async function runChanges(options: SuiteOptions): Promise<SuiteResult> {
  const dataDir = await mkdtemp(join(tmpdir(), 'spoke-bench-changes-'));
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
    const agent = await token('agent');
    const approver = await token('approver');
    const call = async (path: string, as: string, method = 'GET', body?: unknown) => {
      const response = await fetch(`${cloud.urls.api}${path}`, {
        method,
        headers: { authorization: `Bearer ${as}`, 'content-type': 'application/json' },
        ...(body ? { body: JSON.stringify(body) } : {}),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as { id: string; number: string; version: number; state: string };
    };
    let day = 400;
    const draft = (type: 'normal' | 'emergency') => {
      day += 1;
      const start = new Date(Date.now() + day * 86_400_000);
      return call('/api/changes', agent, 'POST', {
        type,
        shortDescription: 'Bench change',
        justification: 'j',
        implementationPlan: 'i',
        backoutPlan: 'b',
        testPlan: 't',
        plannedStart: start.toISOString(),
        plannedEnd: new Date(start.getTime() + 3_600_000).toISOString(),
        services: [`Bench-${day}`],
        assignmentGroup: 'workplace',
        ...(type === 'normal' ? { riskAnswers: mediumRiskAnswers } : {}),
      });
    };
    const outboxCount = async (number: string) =>
      (
        (await (await fetch(`${cloud.urls.outbox}/store`)).json()) as { emails: { subject: string }[] }
      ).emails.filter((m) => m.subject.startsWith(`[${number}] Approval requested`)).length;
    const until = async (probe: () => Promise<boolean>) => {
      for (const start = Date.now(); !(await probe()); ) {
        if (Date.now() - start > 30_000) throw new Error('Timed out');
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
    };

    // 1. Submit → approval request in the outbox (a medium-risk change: three CAB members mailed).
    // Create and get of one change over HTTP, one at a time (the record engine's figures, issue 12).
    const crud = { smoke: 10, quick: 40, full: 100 }[options.size];
    const creates: number[] = [];
    const gets: number[] = [];
    for (let i = 0; i < crud + 5; i++) {
      const created = performance.now();
      const change = await draft('normal');
      const read = performance.now();
      await call(`/api/changes/${change.id}`, agent);
      if (i >= 5) {
        creates.push(read - created);
        gets.push(performance.now() - read);
      }
    }

    const samples = { smoke: 4, quick: 10, full: 30 }[options.size];
    const latencies: number[] = [];
    for (let i = 0; i < samples; i++) {
      let change = await draft('normal');
      change = await call(`/api/changes/${change.id}/transitions`, agent, 'POST', {
        version: change.version,
        to: 'assess',
      });
      const started = performance.now();
      await call(`/api/changes/${change.id}/transitions`, agent, 'POST', {
        version: change.version,
        to: 'authorize',
      });
      await until(async () => (await outboxCount(change.number)) >= 3);
      latencies.push(performance.now() - started);
      await call(`/api/changes/${change.id}/transitions`, agent, 'POST', {
        version: change.version + 2,
        to: 'cancelled',
        reason: 'bench',
      }).catch(() => undefined);
    }

    // 2. Whole executions per second: emergency changes submitted and approved by 8 clients at once.
    const executions = { smoke: 8, quick: 24, full: 80 }[options.size];
    const changes = await Promise.all(Array.from({ length: executions }, () => draft('emergency')));
    const started = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < changes.length) {
        const change = changes[next++] as (typeof changes)[number];
        await call(`/api/changes/${change.id}/transitions`, agent, 'POST', {
          version: change.version,
          to: 'authorize',
        });
        await until(async () => {
          const response = await fetch(
            `${cloud.urls.api}/api/changes/${change.id}/approvals/ecab/decisions`,
            {
              method: 'POST',
              headers: { authorization: `Bearer ${approver}`, 'content-type': 'application/json' },
              body: JSON.stringify({ decision: 'approved' }),
            },
          );
          return response.status === 200;
        });
        await until(
          async () =>
            ((await call(`/api/changes/${change.id}`, agent)) as unknown as { change: { state: string } })
              .change.state === 'scheduled',
        );
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const seconds = (performance.now() - started) / 1000;
    const figures: Figure[] = [
      {
        name: 'create over HTTP p50',
        value: percentile(creates, 50),
        unit: 'ms',
        note: `p95 ${Math.round(percentile(creates, 95))} ms; ${crud} creates after 5 warm-up, one at a time`,
      },
      {
        name: 'get (with steps, conflicts, freezes) over HTTP p50',
        value: percentile(gets, 50),
        unit: 'ms',
        note: `p95 ${Math.round(percentile(gets, 95))} ms`,
      },
      { name: 'submit → approval request in the outbox, p50', value: percentile(latencies, 50), unit: 'ms' },
      { name: 'submit → approval request in the outbox, p95', value: percentile(latencies, 95), unit: 'ms' },
      {
        name: `approval executions end to end (${executions}, 8 clients)`,
        value: executions / seconds,
        unit: 'exec/s',
        note: 'submit → plan → request mail → decision → scheduled → outcome mail, through the HTTP API',
      },
    ];
    return {
      suite: 'changes',
      figures,
      notes: [`${samples} submissions measured one at a time; each mails three CAB members.`],
    };
  } finally {
    await cloud.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
}
