import type { AuditDraft } from '#core/record/audit.ts';
import type { NumberedKind, Page, PageRequest, RecordRef, StoredLink } from '#core/record/record.ts';
import type { PipelineRun, PipelineToken } from '#core/release/pipeline.ts';
import type { GoNoGoStep, Release, ReleaseAuditEntry, ReleaseStage } from '#core/release/release.ts';

export interface ReleaseWithLinks {
  readonly release: Release;
  /** Every link of the release (its changes), read in the same Query. */
  readonly links: readonly StoredLink[];
}

/** Where releases live, with their history, links and go/no-go steps. */
export interface ReleaseStore {
  /** Numbers (`RLS…`) and stores a release with its first audit entries in one transaction. */
  create(release: Omit<Release, 'number'>, audit: readonly AuditDraft[]): Promise<Release>;
  get(id: string): Promise<ReleaseWithLinks | undefined>;
  findByNumber(number: string): Promise<Release | undefined>;
  /** Writes a release if it is still at `expectedVersion` (else `ConflictError` with the current one). */
  update(release: Release, expectedVersion: number, audit: readonly AuditDraft[]): Promise<void>;
  list(stage: ReleaseStage, page: PageRequest): Promise<Page<Release>>;
  /** Releases whose planned window meets [from, to). */
  inWindow(from: string, to: string): Promise<Release[]>;
  history(id: string, page: PageRequest): Promise<Page<ReleaseAuditEntry>>;
  /** Stores a link on both records with audit entries on the release; false when it existed. */
  link(link: StoredLink, releaseId: string, audit: readonly AuditDraft[]): Promise<boolean>;
  unlink(link: StoredLink, releaseId: string, audit: readonly AuditDraft[]): Promise<boolean>;
  /** A record's links to records of one kind (a change's release, a problem's incidents). */
  linksOf(owner: Pick<RecordRef, 'kind' | 'id'>, kind: NumberedKind): Promise<StoredLink[]>;

  getStep(releaseId: string, attempt: number): Promise<{ step: GoNoGoStep; taskToken?: string } | undefined>;
  /** Writes a step if it is still at `expectedVersion` (0: new), keeping the waiting round's token. */
  saveStep(step: GoNoGoStep, expectedVersion: number, taskToken?: string): Promise<void>;
  /** Marks a mailed link used; false when it was used before (links are single-use). */
  consumeLink(linkId: string, expiresAt: string): Promise<boolean>;
}

/** The pipeline gate's own items: the runs it answered and the pipelines' API tokens (hashed). */
export interface PipelineStore {
  /** Stores a run unless that execution asked already; false then. */
  putRun(run: PipelineRun): Promise<boolean>;
  getRun(pipeline: string, executionId: string): Promise<PipelineRun | undefined>;
  /** Records an execution's outcome once; false when it had one. */
  finishRun(run: PipelineRun): Promise<boolean>;
  runs(pipeline: string, page: PageRequest): Promise<Page<PipelineRun>>;
  putToken(token: PipelineToken): Promise<void>;
  tokenByHash(hash: string): Promise<PipelineToken | undefined>;
  tokens(pipeline: string): Promise<PipelineToken[]>;
  deleteToken(hash: string): Promise<void>;
}
