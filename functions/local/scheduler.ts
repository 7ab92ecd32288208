import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname } from 'node:path';
import { instantOf, isTimeZone } from '#core/sla/business-calendar.ts';

/**
 * The local EventBridge Scheduler: the same REST API that `@aws-sdk/client-scheduler` speaks
 * (CreateSchedule, UpdateSchedule, DeleteSchedule, GetSchedule) for one-time `at(...)`
 * schedules, persisted in a JSON file under `.data/`, firing the target's `Input` at the given
 * time through `invoke(targetArn, input)` — the same handler a schedule would invoke in AWS.
 *
 * Differences from AWS (by design, documented in the README): only `at()` expressions; only
 * `FlexibleTimeWindow` OFF (fires on time, to the timer's accuracy); a schedule whose time has
 * passed while the cloud was stopped fires at start; `ActionAfterCompletion: DELETE` deletes
 * after a successful invocation, `NONE` keeps it as completed; a failed invocation is retried
 * three times, 1 s apart (AWS retries for up to 24 hours by default), then dropped with an error.
 */

export interface ScheduleTarget {
  readonly Arn: string;
  readonly RoleArn?: string;
  readonly Input?: string;
}

interface StoredSchedule {
  readonly Name: string;
  readonly GroupName: string;
  readonly ScheduleExpression: string;
  readonly ScheduleExpressionTimezone?: string;
  readonly Target: ScheduleTarget;
  readonly ActionAfterCompletion: 'DELETE' | 'NONE';
  readonly State: 'ENABLED' | 'DISABLED';
  readonly CreationDate: number;
  LastModificationDate: number;
  completed?: boolean;
}

export interface LocalScheduler {
  readonly endpoint: string;
  /** Every schedule now stored (for tests and the local admin). */
  list(): readonly StoredSchedule[];
  close(): Promise<void>;
}

export interface LocalSchedulerOptions {
  readonly port?: number;
  /** Where schedules live between runs. */
  readonly file: string;
  readonly region?: string;
  readonly account?: string;
  /** Invokes the target (the role is the one the schedule names, for the caller to check). */
  readonly invoke: (
    targetArn: string,
    input: string | undefined,
    roleArn: string | undefined,
  ) => Promise<void>;
  /** @default Date.now */
  readonly now?: () => number;
  /** The schedule groups that exist (from the template); a schedule in another is refused as AWS does. @default any */
  readonly groupNames?: readonly string[];
}

/** Longest setTimeout Node keeps exactly; later timers re-arm in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;
const RETRIES = 3;

class ApiError extends Error {
  readonly status: number;
  readonly type: string;
  constructor(status: number, type: string, message: string) {
    super(message);
    this.status = status;
    this.type = type;
  }
}

/** `at(2026-12-03T10:00:00)` in the schedule's zone (UTC unless given) → epoch ms. */
export function atExpressionTime(expression: string, timeZone = 'UTC'): number {
  const match = /^at\((\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})\)$/.exec(expression);
  if (!match)
    throw new ApiError(
      400,
      'ValidationException',
      `Invalid Schedule Expression ${expression}: only at(yyyy-mm-ddThh:mm:ss) is emulated locally`,
    );
  const [, y, mo, d, h, mi, s] = match.map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (!isTimeZone(timeZone))
    throw new ApiError(400, 'ValidationException', `Invalid ScheduleExpressionTimezone ${timeZone}`);
  return instantOf({ year: y, month: mo, day: d }, h * 60 + mi, timeZone) + s * 1000;
}

async function readBody(request: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return {};
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new ApiError(400, 'ValidationException', 'The request body is not JSON');
  }
}

export async function startLocalScheduler(options: LocalSchedulerOptions): Promise<LocalScheduler> {
  const now = options.now ?? Date.now;
  const region = options.region ?? 'us-east-1';
  const account = options.account ?? '000000000000';
  const schedules = new Map<string, StoredSchedule>();
  const timers = new Map<string, NodeJS.Timeout>();
  const keyOf = (group: string, name: string) => `${group}/${name}`;
  const arnOf = (s: { GroupName: string; Name: string }) =>
    `arn:aws:scheduler:${region}:${account}:schedule/${s.GroupName}/${s.Name}`;

  const saved = await readFile(options.file, 'utf8').catch(() => undefined);
  if (saved)
    for (const s of JSON.parse(saved) as StoredSchedule[]) schedules.set(keyOf(s.GroupName, s.Name), s);

  let writing = Promise.resolve();
  const persist = () => {
    writing = writing.then(async () => {
      await mkdir(dirname(options.file), { recursive: true });
      const temporary = `${options.file}.${process.pid}.tmp`;
      await writeFile(temporary, JSON.stringify([...schedules.values()], null, 1));
      await rename(temporary, options.file);
    });
    return writing;
  };

  const fire = async (key: string) => {
    timers.delete(key);
    const schedule = schedules.get(key);
    if (!schedule || schedule.completed || schedule.State !== 'ENABLED') return;
    for (let attempt = 1; ; attempt++) {
      try {
        await options.invoke(schedule.Target.Arn, schedule.Target.Input, schedule.Target.RoleArn);
        break;
      } catch (error) {
        if (attempt > RETRIES) {
          console.error(`[scheduler] ${key} failed ${attempt} times, dropped: ${(error as Error).message}`);
          break;
        }
        await new Promise((resolve) => setTimeout(resolve, 1000));
      }
    }
    if (schedules.get(key) !== schedule) return; // changed while it ran
    if (schedule.ActionAfterCompletion === 'DELETE') schedules.delete(key);
    else schedule.completed = true;
    await persist();
  };

  const arm = (key: string) => {
    clearTimeout(timers.get(key));
    timers.delete(key);
    const schedule = schedules.get(key);
    if (!schedule || schedule.completed || schedule.State !== 'ENABLED') return;
    const due = atExpressionTime(schedule.ScheduleExpression, schedule.ScheduleExpressionTimezone);
    const wait = Math.max(0, due - now());
    const timer = setTimeout(
      () => (wait > MAX_TIMER_MS ? arm(key) : void fire(key)),
      Math.min(wait, MAX_TIMER_MS),
    );
    timer.unref();
    timers.set(key, timer);
  };

  const validated = (name: string, body: Record<string, unknown>, created: number): StoredSchedule => {
    const target = body.Target as ScheduleTarget | undefined;
    if (!target?.Arn) throw new ApiError(400, 'ValidationException', 'Target.Arn is required');
    const expression = String(body.ScheduleExpression ?? '');
    const zone = body.ScheduleExpressionTimezone as string | undefined;
    atExpressionTime(expression, zone);
    const window = (body.FlexibleTimeWindow as { Mode?: string } | undefined)?.Mode;
    if (window !== 'OFF')
      throw new ApiError(
        400,
        'ValidationException',
        'FlexibleTimeWindow.Mode must be OFF (the only mode emulated locally)',
      );
    return {
      Name: name,
      GroupName: (body.GroupName as string | undefined) ?? 'default',
      ScheduleExpression: expression,
      ...(zone ? { ScheduleExpressionTimezone: zone } : {}),
      Target: {
        Arn: target.Arn,
        ...(target.RoleArn ? { RoleArn: target.RoleArn } : {}),
        ...(target.Input !== undefined ? { Input: target.Input } : {}),
      },
      ActionAfterCompletion: body.ActionAfterCompletion === 'DELETE' ? 'DELETE' : 'NONE',
      State: body.State === 'DISABLED' ? 'DISABLED' : 'ENABLED',
      CreationDate: created,
      LastModificationDate: now(),
    };
  };

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    const url = new URL(request.url ?? '/', 'http://scheduler.local');
    const match = /^\/schedules\/([^/]+)$/.exec(url.pathname);
    if (!match)
      throw new ApiError(404, 'ResourceNotFoundException', `No route ${request.method} ${url.pathname}`);
    const name = decodeURIComponent(match[1] as string);
    const body = request.method === 'POST' || request.method === 'PUT' ? await readBody(request) : {};
    const group = (body.GroupName as string | undefined) ?? url.searchParams.get('groupName') ?? 'default';
    if (options.groupNames && group !== 'default' && !options.groupNames.includes(group))
      throw new ApiError(404, 'ResourceNotFoundException', `Schedule group ${group} does not exist.`);
    const key = keyOf(group, name);
    const existing = schedules.get(key);
    const missing = () => new ApiError(404, 'ResourceNotFoundException', `Schedule ${name} does not exist.`);
    let answer: Record<string, unknown> = {};
    if (request.method === 'POST') {
      if (existing) throw new ApiError(409, 'ConflictException', `Schedule ${name} already exists.`);
      const schedule = validated(name, body, now());
      schedules.set(key, schedule);
      await persist();
      arm(key);
      answer = { ScheduleArn: arnOf(schedule) };
    } else if (request.method === 'PUT') {
      if (!existing) throw missing();
      const schedule = validated(name, body, existing.CreationDate);
      schedules.set(key, schedule);
      await persist();
      arm(key);
      answer = { ScheduleArn: arnOf(schedule) };
    } else if (request.method === 'DELETE') {
      if (!existing) throw missing();
      schedules.delete(key);
      clearTimeout(timers.get(key));
      timers.delete(key);
      await persist();
    } else if (request.method === 'GET') {
      if (!existing) throw missing();
      const { completed: _, ...shown } = existing;
      answer = {
        ...shown,
        Arn: arnOf(existing),
        FlexibleTimeWindow: { Mode: 'OFF' },
        CreationDate: existing.CreationDate / 1000,
        LastModificationDate: existing.LastModificationDate / 1000,
      };
    } else throw new ApiError(405, 'ValidationException', `Method ${request.method} is not emulated`);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(answer));
  };

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      const known =
        error instanceof ApiError ? error : new ApiError(500, 'InternalServerException', 'internal error');
      if (!(error instanceof ApiError)) console.error('[scheduler]', error);
      response
        .writeHead(known.status, { 'content-type': 'application/json', 'x-amzn-errortype': known.type })
        .end(JSON.stringify({ message: known.message }));
    });
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  for (const key of schedules.keys()) arm(key);
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    list: () => [...schedules.values()],
    async close() {
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await writing;
    },
  };
}
