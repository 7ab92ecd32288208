import { type Actor, isAdmin, isAgent, normalizeEmail } from '#core/identity/actor.ts';
import { ForbiddenError } from '#core/shared/errors.ts';
import type { GroupDirectory } from '#ports/group-directory.ts';
import type { Change } from './change.ts';

/**
 * Who may work a change (edit its plan, move it along): as with tickets, the agents of its
 * assignment group. Admins, the change managers (the escalation group), and the change's own
 * requester and assignee are excepted. Viewing stays open to every agent and approver (the
 * CAB reads every change); this rule is about writing.
 */
export async function requireChangeWorker(
  groups: GroupDirectory,
  changeManagers: string,
  actor: Actor,
  change: Change,
): Promise<void> {
  if (!isAgent(actor)) throw new ForbiddenError('Only agents create and work changes');
  if (isAdmin(actor)) return;
  const me = normalizeEmail(actor.email);
  if (
    normalizeEmail(change.requester.email) === me ||
    (change.assignee && normalizeEmail(change.assignee.email) === me)
  )
    return;
  const mine = await groups.groupsOf(me);
  if (mine.includes(change.assignmentGroup) || mine.includes(changeManagers)) return;
  throw new ForbiddenError(
    `${change.number} belongs to the ${change.assignmentGroup} group; only its members and the change managers may work it`,
  );
}
