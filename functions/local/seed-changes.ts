import type { ApprovalLinkDeps } from '#core/change/approval-links.ts';
import { createChange, createTemplate, moveChange, updateChange } from '#core/change/change-service.ts';
import { createFreeze } from '#core/change/schedule-service.ts';
import { addMember, createGroup, updateGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import type { DemoUser } from './demo-users.ts';

const DAY = 24 * 3600 * 1000;

/** A moment `days` from now at `hour`:00 UTC. */
const at = (now: Date, days: number, hour: number) => {
  const date = new Date(now.getTime() + days * DAY);
  date.setUTCHours(hour, 0, 0, 0);
  return date.toISOString();
};

export const mediumRiskAnswers = {
  reach: 'department',
  experience: 'once',
  backout: 'hours',
  outage: 'in_window',
  testing: 'fully',
};

/**
 * Change management demo data: the CAB, the emergency CAB and the change managers with their
 * members, a manager for the network group, a standard change template, a freeze three weeks out,
 * a scheduled standard change, a normal change in assessment that conflicts with it, and one
 * submitted for CAB approval, so the approvals inbox and the calendar have something to show.
 */
export async function seedChangeDemo(
  deps: ApprovalLinkDeps,
  people: { admin: Actor; agent: Actor; users: readonly DemoUser[] },
): Promise<void> {
  const groupDeps = { groups: deps.groupStore, clock: deps.clock };
  const { admin, agent } = people;
  const user = (username: string) => people.users.find((u) => u.username === username) as DemoUser;
  const email = (username: string) => user(username).email;
  const groups = [
    { id: 'cab', name: 'Change Advisory Board', members: ['approver', 'approver2', 'manager'] },
    { id: 'ecab', name: 'Emergency CAB', members: ['approver', 'manager'] },
    { id: 'change-managers', name: 'Change Managers', members: ['admin'] },
  ];
  for (const group of groups) {
    await createGroup(groupDeps, admin, { id: group.id, name: group.name });
    for (const member of group.members)
      await addMember(groupDeps, admin, group.id, { email: email(member), name: user(member).name });
  }
  const network = await deps.groupStore.getGroup('network');
  if (network)
    await updateGroup(groupDeps, admin, 'network', {
      version: network.version,
      managerEmail: email('manager'),
    });

  await createTemplate(deps, admin, {
    id: 'wifi-firmware',
    name: 'Wi-Fi access point firmware update',
    shortDescription: 'Update the firmware of Wi-Fi access points',
    justification: 'Vendor security fixes; routine monthly maintenance.',
    implementationPlan: 'Stage the firmware on the controller, then roll out floor by floor.',
    backoutPlan: 'Roll back to the previous firmware image from the controller.',
    testPlan: 'Connect a laptop on each floor and run the speed test.',
    assignmentGroup: 'network',
    services: ['Wi-Fi'],
  });

  const now = deps.clock.now();
  await createFreeze(deps, admin, {
    name: 'Quarter-end freeze',
    reason: 'Financial closing: no changes to production systems.',
    start: at(now, 20, 0),
    end: at(now, 30, 0),
  });

  const standard = await createChange(deps, agent, {
    type: 'standard',
    templateId: 'wifi-firmware',
    plannedStart: at(now, 2, 20),
    plannedEnd: at(now, 2, 22),
  });
  await moveChange(deps, agent, standard.id, { version: standard.version, to: 'scheduled' });

  const vpn = await createChange(deps, agent, {
    type: 'normal',
    shortDescription: 'Replace the VPN concentrator certificate',
    justification: 'The certificate expires at the end of the month.',
    implementationPlan: 'Install the new certificate and restart the VPN service.',
    backoutPlan: 'Reinstall the old certificate (still valid until the end of the month).',
    testPlan: 'Connect from outside with the standard client.',
    plannedStart: at(now, 2, 21),
    plannedEnd: at(now, 2, 23),
    // Wi-Fi users authenticate against the VPN concentrator: it touches the firmware change's service.
    services: ['VPN', 'Wi-Fi'],
    assignmentGroup: 'network',
  });
  await updateChange(deps, agent, vpn.id, { version: vpn.version, riskAnswers: mediumRiskAnswers });

  const mail = await createChange(deps, agent, {
    type: 'normal',
    shortDescription: 'Move mailboxes of the sales team to the new mail cluster',
    justification: 'The old cluster is out of support next quarter.',
    implementationPlan: 'Migrate 40 mailboxes in batches of ten after business hours.',
    backoutPlan: 'Point the mailboxes back to the old cluster; data is kept in both.',
    testPlan: 'Send and receive mail from each migrated mailbox.',
    plannedStart: at(now, 5, 18),
    plannedEnd: at(now, 5, 22),
    services: ['Email'],
    assignmentGroup: 'workplace',
    riskAnswers: mediumRiskAnswers,
  });
  const assessing = await moveChange(deps, agent, mail.id, { version: mail.version, to: 'assess' });
  await moveChange(deps, agent, mail.id, { version: assessing.version, to: 'authorize' });
}
