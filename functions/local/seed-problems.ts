import { addMember, createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import { createProblem, type ProblemDeps, updateProblem } from '#core/problem/problem-service.ts';
import type { GroupStore } from '#ports/group-store.ts';
import type { DemoUser } from './demo-users.ts';

/**
 * Problem management demo data: the problem managers' group, and a problem opened from the
 * laptop incident with its root cause found and its workaround published, so the known-error
 * list, the incident's problem panel and the requester's workaround have something to show.
 */
export async function seedProblemDemo(
  deps: ProblemDeps,
  people: { admin: Actor; agent: Actor; users: readonly DemoUser[]; laptopIncidentId: string },
  groupStore: GroupStore,
): Promise<void> {
  const { admin, agent } = people;
  const groupDeps = { groups: groupStore, clock: deps.clock };
  const manager = people.users.find((u) => u.username === 'manager') as DemoUser;
  await createGroup(groupDeps, admin, {
    id: deps.problemSettings.managersGroup,
    name: 'Problem Managers',
    description: 'See every problem and get suggestions when incidents pile up',
  });
  await addMember(groupDeps, admin, deps.problemSettings.managersGroup, {
    email: manager.email,
    name: manager.name,
  });
  const problem = await createProblem(deps, agent, {
    fromTicketId: people.laptopIncidentId,
    shortDescription: 'Laptops stay black after waking from sleep',
    description: 'Several laptops of the same model show a black screen when the lid is opened again.',
    category: 'Hardware',
    assignmentGroup: 'workplace',
    impact: 2,
    urgency: 2,
  });
  await updateProblem(deps, agent, problem.id, {
    version: problem.version,
    rootCause: 'BIOS 1.4.0 does not restore the display after the S3 sleep state.',
    workaround: 'Press the power button briefly once; the screen comes back within a few seconds.',
    workaroundPublished: true,
  });
}
