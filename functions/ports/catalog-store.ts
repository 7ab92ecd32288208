import type { CatalogCategory, CatalogItem } from '#core/catalog/catalog.ts';
import type {
  CatalogAuditEntry,
  CatalogRequest,
  CatalogTask,
  RequestApprovalStep,
  RequestInboxEntry,
  TaskState,
} from '#core/catalog/request.ts';
import type { AuditDraft } from '#core/record/audit.ts';
import type { Page, PageRequest } from '#core/record/record.ts';

/** The catalog's definitions: categories, items and every version of each item, and the people directory. */
export interface CatalogStore {
  putCategory(category: CatalogCategory): Promise<void>;
  categories(): Promise<CatalogCategory[]>;
  /** Stores version 1 of a new item; `ConflictError` when the id is taken. */
  createItem(item: CatalogItem): Promise<void>;
  /** Stores the next version of an item still at `expectedVersion` (409 otherwise), keeping every earlier one. */
  updateItem(item: CatalogItem, expectedVersion: number): Promise<void>;
  /** The current version. */
  item(id: string): Promise<CatalogItem | undefined>;
  /** One stored version, as a request ordered under it saw it. */
  itemVersion(id: string, version: number): Promise<CatalogItem | undefined>;
  /** Every item's current version (the catalog is small: tens to a few hundred items). */
  items(): Promise<CatalogItem[]>;
  /** The people directory: who manages whom (addresses lower-case). */
  managerOf(email: string): Promise<string | undefined>;
  setManager(email: string, manager: string | undefined): Promise<void>;
}

/** A stored approval step and the task token its answer goes to (which never leaves the server). */
export interface StoredRequestStep {
  readonly step: RequestApprovalStep;
  readonly taskToken?: string;
}

export type TaskList =
  | { readonly by: 'queue'; readonly group: string; readonly state: TaskState }
  | { readonly by: 'assignee'; readonly assignee: string };

/** Catalog requests, their approval steps and fulfilment tasks. */
export interface RequestStore {
  create(request: Omit<CatalogRequest, 'number'>, audit: readonly AuditDraft[]): Promise<CatalogRequest>;
  get(id: string): Promise<CatalogRequest | undefined>;
  findByNumber(number: string): Promise<CatalogRequest | undefined>;
  update(request: CatalogRequest, expectedVersion: number, audit: readonly AuditDraft[]): Promise<void>;
  /** A requester's requests (ordered by them or for them), most recently updated first. */
  listFor(email: string, page: PageRequest): Promise<Page<CatalogRequest>>;
  history(id: string, page: PageRequest): Promise<Page<CatalogAuditEntry>>;
  /** History entries that change nothing on the record itself (an approver's decision). */
  audit(id: string, entries: readonly AuditDraft[]): Promise<void>;

  getStep(requestId: string, index: number): Promise<StoredRequestStep | undefined>;
  steps(requestId: string): Promise<RequestApprovalStep[]>;
  /** Writes a step at `expectedVersion` (0: new) with its token and its approvers' inbox entries; 409 when it lost a race. */
  saveStep(
    step: RequestApprovalStep,
    expectedVersion: number,
    extra: { readonly taskToken?: string; readonly inbox: readonly RequestInboxEntry[] },
  ): Promise<void>;
  inbox(approver: string, page: PageRequest): Promise<Page<RequestInboxEntry>>;
  /** Marks a mailed link used; false when it was used already. */
  consumeLink(linkId: string, expiresAt: string): Promise<boolean>;

  /** Stores a new task under the next `TASK` number; `ConflictError` when its id exists. */
  createTask(task: Omit<CatalogTask, 'number'>, audit: readonly AuditDraft[]): Promise<CatalogTask>;
  getTask(id: string): Promise<CatalogTask | undefined>;
  findTaskByNumber(number: string): Promise<CatalogTask | undefined>;
  updateTask(task: CatalogTask, expectedVersion: number, audit: readonly AuditDraft[]): Promise<void>;
  /** Every task of a request, in plan order. */
  tasksOf(requestId: string): Promise<CatalogTask[]>;
  tasks(list: TaskList, page: PageRequest): Promise<Page<CatalogTask>>;
  taskHistory(id: string, page: PageRequest): Promise<Page<CatalogAuditEntry>>;
  /** History entries of a task that change nothing on it (an automation's attempt). */
  taskAudit(id: string, entries: readonly AuditDraft[]): Promise<void>;
  /** The token the workflow waits on for a task to close. */
  setTaskToken(taskId: string, token: string): Promise<void>;
  taskToken(taskId: string): Promise<string | undefined>;
}

/** The catalog request workflow: Step Functions in AWS, the local runner on a laptop. */
export interface RequestWorkflow {
  start(input: { requestId: string }): Promise<{ executionId: string }>;
  stop(executionId: string, cause: string): Promise<void>;
  /** Answers a waiting token; `TaskTokenGoneError` when nothing waits on it any more. */
  answer(taskToken: string, output: Readonly<Record<string, string>>): Promise<void>;
}
