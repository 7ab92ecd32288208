import * as z from 'zod';
import {
  ApprovalDecision,
  Decision,
  Quorum,
  Round,
  StepStatus,
  stepOutcome,
  stepProgress,
} from '../approval/decision.ts';
import { type Change, ChangeType, riskLevel } from './change.ts';

export { ApprovalDecision, Decision, Quorum, Round, StepStatus, stepOutcome };

/**
 * Who approves a change, and when enough of them have. The route depends on type and risk:
 *
 * | change              | route          | steps (all must approve)                       |
 * | ------------------- | -------------- | ---------------------------------------------- |
 * | standard            | `none`         | pre-approved                                   |
 * | normal, low risk    | `manager`      | the assignment group's manager (else the CAB)  |
 * | normal, medium risk | `cab`          | the CAB, N of M                                |
 * | normal, high risk   | `cab_and_owner`| the CAB (all) and the service owner            |
 * | emergency           | `ecab`         | the emergency CAB, any one, short timeout      |
 *
 * The state machine chooses its branch from the route; each step is one `.waitForTaskToken`
 * task that times out into a reminder, an escalation and finally expiry.
 */
export const ApprovalRoute = z.enum(['none', 'manager', 'cab', 'cab_and_owner', 'ecab']);
export type ApprovalRoute = z.infer<typeof ApprovalRoute>;

export const StepId = z.enum(['manager', 'cab', 'service_owner', 'ecab']);
export type StepId = z.infer<typeof StepId>;

/** One approval step of one change, as stored. The task token never leaves the server. */
export const ApprovalStep = z.object({
  changeId: z.string().min(1).max(64),
  /** The submission it belongs to (the change's `approval.attempt` then). */
  attempt: z.number().int().min(1),
  step: StepId,
  ...stepProgress,
});
export type ApprovalStep = z.infer<typeof ApprovalStep>;

/** A pending approval in one approver's inbox: enough to list it without reading the change. */
export const InboxEntry = z.object({
  approver: z.string().max(254),
  changeId: z.string().min(1).max(64),
  number: z.string().max(16),
  shortDescription: z.string().max(160),
  type: ChangeType,
  risk: z.string().max(16).optional(),
  step: StepId,
  round: Round,
  plannedStart: z.iso.datetime(),
  plannedEnd: z.iso.datetime(),
  requester: z.string().max(254),
  requestedAt: z.iso.datetime(),
});
export type InboxEntry = z.infer<typeof InboxEntry>;

export interface ApprovalSettings {
  /** Group id of the change advisory board. */
  readonly cabGroup: string;
  /** Group id of the emergency CAB. */
  readonly emergencyCabGroup: string;
  /** Group id that receives escalations and may decide on the approvers' behalf. */
  readonly escalationGroup: string;
  /** Approvals a medium-risk change needs from the CAB. */
  readonly cabQuorum: number;
  /** Service → owner's address. A service without an owner falls back to the escalation group. */
  readonly serviceOwners: Readonly<Record<string, string>>;
}

export const defaultApprovalSettings: ApprovalSettings = {
  cabGroup: 'cab',
  emergencyCabGroup: 'ecab',
  escalationGroup: 'change-managers',
  cabQuorum: 2,
  serviceOwners: {},
};

export function approvalRoute(change: Pick<Change, 'type' | 'risk'>): ApprovalRoute {
  if (change.type === 'standard') return 'none';
  if (change.type === 'emergency') return 'ecab';
  const level = riskLevel(change.risk) ?? 'high';
  return level === 'low' ? 'manager' : level === 'medium' ? 'cab' : 'cab_and_owner';
}

export const stepsOf: Readonly<Record<ApprovalRoute, readonly StepId[]>> = {
  none: [],
  manager: ['manager'],
  cab: ['cab'],
  cab_and_owner: ['cab', 'service_owner'],
  ecab: ['ecab'],
};

/** Who is asked in a step: groups to expand into members, and people by address. */
export interface StepApprovers {
  readonly groups: readonly string[];
  readonly people: readonly string[];
  readonly quorum: Quorum;
}

export function stepApprovers(
  step: StepId,
  change: Pick<Change, 'type' | 'risk' | 'services'>,
  settings: ApprovalSettings,
  manager: string | undefined,
): StepApprovers {
  switch (step) {
    case 'manager':
      return manager
        ? { groups: [], people: [manager], quorum: { rule: 'any' } }
        : { groups: [settings.cabGroup], people: [], quorum: { rule: 'any' } };
    case 'cab':
      return approvalRoute(change) === 'cab_and_owner'
        ? { groups: [settings.cabGroup], people: [], quorum: { rule: 'all' } }
        : { groups: [settings.cabGroup], people: [], quorum: { rule: 'n_of_m', n: settings.cabQuorum } };
    case 'service_owner': {
      const owners = change.services.flatMap((s) => settings.serviceOwners[s] ?? []);
      return owners.length > 0
        ? { groups: [], people: [...new Set(owners)], quorum: { rule: 'all' } }
        : { groups: [settings.escalationGroup], people: [], quorum: { rule: 'any' } };
    }
    case 'ecab':
      return { groups: [settings.emergencyCabGroup], people: [], quorum: { rule: 'any' } };
  }
}
