import type { ApprovalStep, InboxEntry } from '#core/change/approval.ts';
import type {
  Change,
  ChangeAuditEntry,
  ChangeState,
  ChangeTemplate,
  FreezeWindow,
} from '#core/change/change.ts';
import type { Page, PageRequest } from '#core/record/record.ts';

export type ChangeAuditDraft = Omit<ChangeAuditEntry, 'changeId'>;

export type { InboxEntry } from '#core/change/approval.ts';

export type ChangeList =
  | { readonly by: 'requester'; readonly email: string }
  | { readonly by: 'state'; readonly state: ChangeState };

/** Where changes, their approval steps, freeze windows and standard templates live. */
export interface ChangeStore {
  /** Stores a new change under the next `CHG` number, with its first audit entries. */
  create(change: Omit<Change, 'number'>, audit: readonly ChangeAuditDraft[]): Promise<Change>;
  get(id: string): Promise<Change | undefined>;
  findByNumber(number: string): Promise<Change | undefined>;
  /** Replaces a change if it is still at `expectedVersion`; else `ConflictError` with the current record. */
  update(change: Change, expectedVersion: number, audit: readonly ChangeAuditDraft[]): Promise<void>;
  list(list: ChangeList, page: PageRequest): Promise<Page<Change>>;
  /** Changes whose planned window starts between `from` minus the longest window and `to`. */
  inWindow(from: string, to: string): Promise<Change[]>;
  /** Appends audit entries without touching the change (an approver's decision). */
  audit(changeId: string, entries: readonly ChangeAuditDraft[]): Promise<void>;
  history(id: string, page: PageRequest): Promise<Page<ChangeAuditEntry>>;

  /** An approval step of one submission, with its current task token (never shown to anyone). */
  getStep(
    changeId: string,
    attempt: number,
    step: ApprovalStep['step'],
  ): Promise<{ step: ApprovalStep; taskToken?: string } | undefined>;
  /** The approval steps of one submission. */
  steps(changeId: string, attempt: number): Promise<ApprovalStep[]>;
  /**
   * Writes a step if it is still at `expectedVersion` (0: new), with the task token of the
   * waiting task when given, and replaces the step's inbox entries (none once it is decided).
   * `ConflictError` when someone else wrote it first.
   */
  saveStep(
    step: ApprovalStep,
    expectedVersion: number,
    options: { readonly taskToken?: string; readonly inbox: readonly InboxEntry[] },
  ): Promise<void>;
  inbox(approver: string, page: PageRequest): Promise<Page<InboxEntry>>;
  /** Marks a mailed link used; false when it was used before (links are single-use). */
  consumeLink(linkId: string, expiresAt: string): Promise<boolean>;

  putFreeze(freeze: FreezeWindow): Promise<void>;
  deleteFreeze(id: string): Promise<void>;
  /** Freeze windows overlapping the range. */
  freezes(from: string, to: string): Promise<FreezeWindow[]>;

  putTemplate(template: ChangeTemplate): Promise<void>;
  getTemplate(id: string): Promise<ChangeTemplate | undefined>;
  templates(): Promise<ChangeTemplate[]>;
}
