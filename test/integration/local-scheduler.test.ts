import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ConflictException,
  CreateScheduleCommand,
  DeleteScheduleCommand,
  GetScheduleCommand,
  ResourceNotFoundException,
  SchedulerClient,
  UpdateScheduleCommand,
  ValidationException,
} from '@aws-sdk/client-scheduler';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SchedulerSlaTimers } from '#adapters/eventbridge/sla-timers.scheduler.ts';
import { atExpressionTime, type LocalScheduler, startLocalScheduler } from '#local/scheduler.ts';

/** The SDK's own client against the local Scheduler, as an SLA function would use it in AWS. */
let dir: string;
let scheduler: LocalScheduler | undefined;
const fired: { arn: string; input: string | undefined; at: number }[] = [];
const TARGET = 'arn:aws:lambda:us-east-1:000000000000:function:spoke-local-sla';

/** `at()` has whole seconds: a time n ms away may fire up to a second sooner. */
const at = (msFromNow: number) => `at(${new Date(Date.now() + msFromNow).toISOString().slice(0, 19)})`;
const clientFor = (endpoint: string) =>
  new SchedulerClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
const start = async () =>
  startLocalScheduler({
    file: join(dir, 'scheduler.json'),
    invoke: async (arn, input) => void fired.push({ arn, input, at: Date.now() }),
  });
const firedWithin = async (count: number, ms: number) => {
  const until = Date.now() + ms;
  while (fired.length < count && Date.now() < until) await new Promise((r) => setTimeout(r, 25));
  return fired.length;
};
const create = (name: string, expression: string, input = `{"name":"${name}"}`) =>
  new CreateScheduleCommand({
    Name: name,
    GroupName: 'spoke-sla',
    ScheduleExpression: expression,
    FlexibleTimeWindow: { Mode: 'OFF' },
    ActionAfterCompletion: 'DELETE',
    Target: { Arn: TARGET, RoleArn: 'arn:aws:iam::000000000000:role/scheduler', Input: input },
  });

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'spoke-scheduler-'));
  fired.length = 0;
  scheduler = await start();
});
afterEach(async () => {
  await scheduler?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('the local EventBridge Scheduler', () => {
  it('fires a one-time schedule with its input, then deletes it (ActionAfterCompletion DELETE)', async () => {
    const client = clientFor(scheduler?.endpoint ?? '');
    // Far enough ahead that a loaded machine reads it back before it fires.
    const { ScheduleArn } = await client.send(create('INC1-breach', at(2500)));
    expect(ScheduleArn).toBe('arn:aws:scheduler:us-east-1:000000000000:schedule/spoke-sla/INC1-breach');
    const got = await client.send(new GetScheduleCommand({ Name: 'INC1-breach', GroupName: 'spoke-sla' }));
    expect(got.Target?.Input).toBe('{"name":"INC1-breach"}');
    expect(await firedWithin(1, 8000)).toBe(1);
    expect(fired[0]).toMatchObject({ arn: TARGET, input: '{"name":"INC1-breach"}' });
    await expect(
      client.send(new GetScheduleCommand({ Name: 'INC1-breach', GroupName: 'spoke-sla' })),
    ).rejects.toBeInstanceOf(ResourceNotFoundException);
  });

  it('moves a schedule on update, cancels it on delete, and refuses duplicates and bad expressions', async () => {
    const client = clientFor(scheduler?.endpoint ?? '');
    await client.send(create('moved', at(3000)));
    await client.send(create('deleted', at(3000)));
    await expect(client.send(create('deleted', at(3000)))).rejects.toBeInstanceOf(ConflictException);
    await expect(client.send(create('bad', 'rate(5 minutes)'))).rejects.toBeInstanceOf(ValidationException);
    await client.send(
      new UpdateScheduleCommand({
        Name: 'moved',
        GroupName: 'spoke-sla',
        ScheduleExpression: at(9000),
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Target: { Arn: TARGET, RoleArn: 'arn:aws:iam::000000000000:role/scheduler', Input: '{"v":2}' },
      }),
    );
    await client.send(new DeleteScheduleCommand({ Name: 'deleted', GroupName: 'spoke-sla' }));
    // The deleted one (due in 2–3 s) never fires; the moved one fires at its new time only.
    expect(await firedWithin(1, 4500)).toBe(0);
    expect(await firedWithin(1, 8000)).toBe(1);
    expect(fired.map((f) => f.input)).toEqual(['{"v":2}']);
  });

  it('keeps schedules across a restart and fires the ones that came due while it was down', async () => {
    const client = clientFor(scheduler?.endpoint ?? '');
    await client.send(create('survives', at(1000)));
    await scheduler?.close();
    scheduler = undefined;
    await new Promise((r) => setTimeout(r, 1500));
    expect(fired).toHaveLength(0);
    scheduler = await start();
    expect(await firedWithin(1, 2000)).toBe(1);
    expect(fired[0]?.input).toBe('{"name":"survives"}');
  });

  it('reads at() in the schedule’s time zone', () => {
    expect(new Date(atExpressionTime('at(2026-07-01T09:00:00)', 'Europe/Berlin')).toISOString()).toBe(
      '2026-07-01T07:00:00.000Z',
    );
    expect(new Date(atExpressionTime('at(2026-12-01T09:00:00)', 'America/New_York')).toISOString()).toBe(
      '2026-12-01T14:00:00.000Z',
    );
  });
});

describe('SLA timers on the local Scheduler', () => {
  it('sets a new record’s timer in one request, moves an existing one, and creates a missing one', async () => {
    const client = clientFor(scheduler?.endpoint ?? '');
    const sent: string[] = [];
    client.middlewareStack.add(
      (next, context) => (args) => {
        sent.push(String(context.commandName));
        return next(args);
      },
      { step: 'initialize' },
    );
    const timers = new SchedulerSlaTimers(client, {
      groupName: 'spoke-sla',
      targetArn: () => TARGET,
      roleArn: 'arn:aws:iam::000000000000:role/scheduler',
    });
    const inAMinute = new Date(Date.now() + 60_000).toISOString();
    await timers.set('r1', inAMinute, 1, { likelyNew: true });
    expect(sent.splice(0)).toEqual(['CreateScheduleCommand']);
    // Another firing made it meanwhile: create refuses, the timer is moved to this version.
    await timers.set('r1', inAMinute, 2, { likelyNew: true });
    expect(sent.splice(0)).toEqual(['CreateScheduleCommand', 'UpdateScheduleCommand']);
    await timers.set('r1', inAMinute, 3);
    expect(sent.splice(0)).toEqual(['UpdateScheduleCommand']);
    await timers.clear('r1');
    await timers.set('r1', inAMinute, 4);
    expect(sent.splice(0)).toEqual([
      'DeleteScheduleCommand',
      'UpdateScheduleCommand',
      'CreateScheduleCommand',
    ]);
    const got = await client.send(new GetScheduleCommand({ Name: 'sla-r1', GroupName: 'spoke-sla' }));
    expect(JSON.parse(got.Target?.Input ?? '{}')).toMatchObject({ recordId: 'r1', version: 4 });
  });
});
