import { beforeAll, describe, expect, it } from 'vitest';
import { ulids } from '#adapters/system/system.ts';
import type { Change } from '#core/change/change.ts';
import { createChange } from '#core/change/change-service.ts';
import { createFreeze } from '#core/change/schedule-service.ts';
import type { Problem } from '#core/problem/problem.ts';
import {
  decideGoNoGo,
  decideGoNoGoByLink,
  finishGoNoGo,
  issueGoNoGoLink,
  openGoNoGoRound,
  requestGoNoGo,
} from '#core/release/go-no-go.ts';
import { releaseNotes } from '#core/release/release-notes.ts';
import {
  addReleaseChange,
  createRelease,
  listReleases,
  moveRelease,
  releaseCalendar,
  releaseHistory,
  removeReleaseChange,
  updateRelease,
  viewRelease,
} from '#core/release/release-service.ts';
import { ConflictError, ForbiddenError, NotFoundError, ValidationError } from '#core/shared/errors.ts';
import { openTicket } from '#core/ticket/ticket-service.ts';
import { people, type ReleaseWorld, releaseWorld } from '../support/release-world.ts';

/**
 * Releases against DynamoDB Local: numbering and stages on the record engine, object-level
 * access, changes linked with generic record links, the go/no-go guard before deploy (the
 * approval parts; the synthesized state machine runs in release-workflow.test.ts), the notes
 * and the release calendar.
 */
let world: ReleaseWorld;
const { admin, manager, agent, cab, emma } = people;

const fieldsOf = (error: unknown) => (error as ValidationError).fields.map((p) => p.path);

async function normalChange(shortDescription: string, start = '2026-12-10T08:00:00Z'): Promise<Change> {
  return createChange(world.change, agent, {
    type: 'normal',
    shortDescription,
    justification: 'Ship it',
    implementationPlan: 'Deploy',
    backoutPlan: 'Roll back',
    testPlan: 'Smoke test',
    plannedStart: start,
    plannedEnd: new Date(Date.parse(start) + 3_600_000).toISOString(),
    services: ['Web'],
    assignmentGroup: 'web',
  });
}

const newRelease = (name = 'December web release') =>
  createRelease(world.release, manager, {
    name,
    versionLabel: '2026.12',
    plannedStart: '2026-12-10T08:00:00Z',
    plannedEnd: '2026-12-12T18:00:00Z',
    services: ['Web'],
  });

beforeAll(async () => {
  world = await releaseWorld();
});

describe('release records', () => {
  it('numbers a release RLS…, starts it in plan with its manager and history, and announces it', async () => {
    const release = await newRelease();
    expect(release.number).toMatch(/^RLS\d{7}$/);
    expect(release).toMatchObject({
      stage: 'plan',
      manager: { email: manager.email },
      goNoGo: { status: 'not_requested' },
    });
    const history = await releaseHistory(world.release, agent, release.id);
    expect(history.items.map((e) => [e.field, e.newValue])).toEqual([['stage', 'plan']]);
    expect(
      world.published.some((e) => e.type === 'release.created' && e.detail.number === release.number),
    ).toBe(true);
  });

  it('lets only change managers and admins create releases, and names the bad field', async () => {
    await expect(
      createRelease(world.release, agent, {
        name: 'x',
        plannedStart: '2026-12-10T08:00:00Z',
        plannedEnd: '2026-12-11T08:00:00Z',
      }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const backwards = await createRelease(world.release, admin, {
      name: 'x',
      plannedStart: '2026-12-10T08:00:00Z',
      plannedEnd: '2026-12-09T08:00:00Z',
    }).catch((e: unknown) => e);
    expect(backwards).toBeInstanceOf(ValidationError);
    expect(fieldsOf(backwards)).toEqual(['plannedEnd']);
  });

  it('shows releases to agents and approvers but to no employee (404, not 403)', async () => {
    const release = await newRelease();
    await expect(viewRelease(world.release, cab, release.id)).resolves.toMatchObject({
      release: { id: release.id },
    });
    await expect(viewRelease(world.release, emma, release.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(listReleases(world.release, emma, {})).rejects.toBeInstanceOf(ForbiddenError);
  });

  it('lets its manager and the change managers work it, not any agent', async () => {
    const release = await newRelease();
    await expect(
      updateRelease(world.release, agent, release.id, { version: 1, name: 'mine' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const renamed = await updateRelease(world.release, manager, release.id, { version: 1, name: 'Renamed' });
    expect(renamed).toMatchObject({ name: 'Renamed', version: 2 });
    await expect(
      updateRelease(world.release, manager, release.id, { version: 1, name: 'stale' }),
    ).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('stages and the go/no-go guard', () => {
  it('moves plan → build → test, and refuses deploy without an approved go, naming the field', async () => {
    let release = await newRelease();
    release = await moveRelease(world.release, manager, release.id, {
      version: release.version,
      to: 'build',
    });
    release = await moveRelease(world.release, manager, release.id, { version: release.version, to: 'test' });
    const refused = await moveRelease(world.release, manager, release.id, {
      version: release.version,
      to: 'deploy',
    }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ValidationError);
    expect((refused as ValidationError).fields[0]).toMatchObject({
      path: 'to',
      message: expect.stringContaining('go/no-go'),
    });
    const skip = await moveRelease(world.release, manager, release.id, {
      version: release.version,
      to: 'closed',
    }).catch((e: unknown) => e);
    expect(fieldsOf(skip)).toEqual(['to']);
  });

  it('asks the go/no-go group in test, lets a member decide, and only then deploys', async () => {
    let release = await newRelease();
    await expect(
      requestGoNoGo(world.release, manager, release.id, { version: release.version }),
    ).rejects.toBeInstanceOf(ValidationError);
    for (const to of ['build', 'test'] as const)
      release = await moveRelease(world.release, manager, release.id, { version: release.version, to });
    release = await requestGoNoGo(world.release, manager, release.id, { version: release.version });
    expect(release.goNoGo).toMatchObject({
      status: 'pending',
      attempt: 1,
      executionId: `exec-${release.id}`,
    });
    const round = await openGoNoGoRound(world.release, {
      releaseId: release.id,
      round: 'request',
      taskToken: 'tok-1',
    });
    // The release manager is in the CAB but never decides their own release.
    expect(round.recipients).toEqual([cab.email]);
    await expect(
      decideGoNoGo(world.release, manager, release.id, { decision: 'approved' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    await expect(
      decideGoNoGo(world.release, agent, release.id, { decision: 'approved' }),
    ).rejects.toBeInstanceOf(ForbiddenError);
    const decided = await decideGoNoGo(world.release, cab, release.id, {
      decision: 'approved',
      comment: 'tests green',
    });
    expect(decided).toMatchObject({ settled: true, step: { status: 'approved' } });
    expect(world.workflowCalls.at(-1)).toEqual({
      method: 'answer',
      args: ['tok-1', { decision: 'approved' }],
    });
    await expect(
      decideGoNoGo(world.release, cab, release.id, { decision: 'rejected' }),
    ).rejects.toBeInstanceOf(ConflictError);
    release = await finishGoNoGo(world.release, release.id, 'approved');
    expect(release.goNoGo.status).toBe('approved');
    release = await moveRelease(world.release, manager, release.id, {
      version: release.version,
      to: 'deploy',
    });
    expect(release.stage).toBe('deploy');
    const history = await releaseHistory(world.release, manager, release.id);
    expect(history.items.find((e) => e.field === 'goNoGo' && e.newValue === 'approved')?.reason).toContain(
      'tests green',
    );
  });

  it('decides by a mailed link once; a replayed link is refused', async () => {
    let release = await newRelease();
    for (const to of ['build', 'test'] as const)
      release = await moveRelease(world.release, manager, release.id, { version: release.version, to });
    release = await requestGoNoGo(world.release, manager, release.id, { version: release.version });
    await openGoNoGoRound(world.release, { releaseId: release.id, round: 'request', taskToken: 'tok-2' });
    const token = await issueGoNoGoLink(world.release, {
      releaseId: release.id,
      attempt: 1,
      approver: cab.email,
      decision: 'rejected',
    });
    await expect(decideGoNoGoByLink(world.release, token, { comment: 'not yet' })).resolves.toMatchObject({
      step: { status: 'rejected' },
    });
    await expect(decideGoNoGoByLink(world.release, token, {})).rejects.toBeInstanceOf(ConflictError);
    release = await finishGoNoGo(world.release, release.id, 'rejected');
    expect(release.goNoGo.status).toBe('rejected');
  });

  it('cancelling while a decision is pending closes the step and stops the workflow', async () => {
    let release = await newRelease();
    for (const to of ['build', 'test'] as const)
      release = await moveRelease(world.release, manager, release.id, { version: release.version, to });
    release = await requestGoNoGo(world.release, manager, release.id, { version: release.version });
    await openGoNoGoRound(world.release, { releaseId: release.id, round: 'request', taskToken: 'tok-3' });
    const missing = await moveRelease(world.release, manager, release.id, {
      version: release.version,
      to: 'cancelled',
    }).catch((e: unknown) => e);
    expect(fieldsOf(missing)).toEqual(['cancelReason']);
    release = await moveRelease(world.release, manager, release.id, {
      version: release.version,
      to: 'cancelled',
      cancelReason: 'scope moved to January',
    });
    expect(release.goNoGo.status).toBe('cancelled');
    expect(world.workflowCalls.at(-1)?.method).toBe('stop');
    await expect(decideGoNoGo(world.release, cab, release.id, { decision: 'approved' })).rejects.toThrow(
      /no longer waits/,
    );
  });
});

describe('changes of a release and its notes', () => {
  it('links changes by number, one release per change, and writes notes from changes, problems and incidents', async () => {
    const release = await newRelease('Notes release');
    const fix = await normalChange('Patch the <login> page');
    const other = await normalChange('Upgrade the CDN');
    await expect(
      addReleaseChange(world.release, manager, release.id, { number: fix.number }),
    ).resolves.toMatchObject({
      linked: true,
      change: { number: fix.number },
    });
    await addReleaseChange(world.release, manager, release.id, { id: other.id });
    await expect(addReleaseChange(world.release, agent, release.id, { id: other.id })).rejects.toBeInstanceOf(
      ForbiddenError,
    );
    const second = await newRelease('Another');
    await expect(addReleaseChange(world.release, manager, second.id, { id: fix.id })).rejects.toBeInstanceOf(
      ConflictError,
    );
    const both = await addReleaseChange(world.release, manager, release.id, {
      number: fix.number,
      id: fix.id,
    }).catch((e: unknown) => e);
    expect(JSON.stringify((both as { issues?: unknown }).issues)).toContain('"id"');

    // A problem the change fixes, and an incident of that problem.
    const at = new Date().toISOString();
    const problem: Problem = await world.problems.create(
      {
        id: ulids.next(),
        shortDescription: 'Login fails with *stars*',
        description: '',
        services: ['Web'],
        configurationItems: [],
        state: 'fix_in_progress',
        impact: 2,
        urgency: 2,
        priority: 3,
        workaroundPublished: false,
        watchers: [],
        openedBy: { id: agent.id, email: agent.email },
        createdAt: at,
        updatedAt: at,
        version: 1,
      },
      [],
    );
    const { ticket } = await openTicket(
      world.tickets,
      emma,
      { shortDescription: 'Cannot log in' },
      { channel: 'portal' },
    );
    const by = { id: agent.id, email: agent.email };
    await world.problems.link(
      {
        type: 'fixes',
        source: { kind: 'change', id: fix.id, number: fix.number },
        target: { kind: 'problem', id: problem.id, number: problem.number },
        createdAt: at,
        createdBy: by,
      },
      problem.id,
      [],
    );
    await world.problems.link(
      {
        type: 'incident_of',
        source: { kind: 'incident', id: ticket.id, number: ticket.number },
        target: { kind: 'problem', id: problem.id, number: problem.number },
        createdAt: at,
        createdBy: by,
      },
      problem.id,
      [],
    );
    const notes = await releaseNotes(world.release, cab, release.id);
    expect(notes.changes.map((c) => c.number).sort()).toEqual([fix.number, other.number].sort());
    expect(notes.problems).toEqual([expect.objectContaining({ number: problem.number, via: fix.number })]);
    expect(notes.incidents).toEqual([{ number: ticket.number, title: 'Cannot log in', via: problem.number }]);
    expect(notes.markdown).toContain(`- **${fix.number}** Patch the \\<login\\> page`);
    expect(notes.markdown).toContain('Login fails with \\*stars\\*');
    expect(notes.markdown).toContain(
      `## Incidents addressed\n- **${ticket.number}** Cannot log in — via ${problem.number}`,
    );

    await removeReleaseChange(world.release, manager, release.id, other.id);
    const view = await viewRelease(world.release, cab, release.id);
    expect(view.changes.map((c) => c.number)).toEqual([fix.number]);
  });
});

describe('the release calendar', () => {
  it('lists the releases whose window meets the range, and refuses a range over 92 days', async () => {
    const january = await createRelease(world.release, manager, {
      name: 'January',
      plannedStart: '2027-01-20T08:00:00Z',
      plannedEnd: '2027-02-02T08:00:00Z',
    });
    const inFebruary = await releaseCalendar(world.release, agent, {
      from: '2027-02-01T00:00:00Z',
      to: '2027-02-28T00:00:00Z',
    });
    expect(inFebruary.releases.map((r) => r.number)).toEqual([january.number]);
    const none = await releaseCalendar(world.release, agent, {
      from: '2027-03-01T00:00:00Z',
      to: '2027-03-31T00:00:00Z',
    });
    expect(none.releases).toEqual([]);
    const tooLong = await releaseCalendar(world.release, agent, {
      from: '2027-01-01T00:00:00Z',
      to: '2027-06-01T00:00:00Z',
    }).catch((e: unknown) => e);
    expect(fieldsOf(tooLong)).toEqual(['to']);
  });

  it('keeps freeze windows out of the release module: a release may be planned in one (its changes may not)', async () => {
    await createFreeze(world.change, admin, {
      name: 'Year end',
      start: '2027-12-20T00:00:00Z',
      end: '2028-01-03T00:00:00Z',
    });
    await expect(
      createRelease(world.release, manager, {
        name: 'Year end',
        plannedStart: '2027-12-21T08:00:00Z',
        plannedEnd: '2027-12-22T08:00:00Z',
      }),
    ).resolves.toMatchObject({ stage: 'plan' });
  });
});
