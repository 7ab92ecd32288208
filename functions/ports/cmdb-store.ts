import type { AssetAssignment } from '#core/cmdb/asset.ts';
import type { CiAuditEntry, CiClass, CiRelation, CiStatus, ConfigurationItem } from '#core/cmdb/ci.ts';
import type { RelationReader } from '#core/cmdb/impact.ts';
import type { AuditDraft } from '#core/record/audit.ts';
import type { Page, PageRequest, StoredLink } from '#core/record/record.ts';

/** The lists of CIs: by class (optionally one status), by status (optionally a name prefix), by owner. */
export type CiList =
  | { readonly by: 'class'; readonly class: CiClass; readonly status?: CiStatus }
  | { readonly by: 'status'; readonly status: CiStatus; readonly namePrefix?: string }
  | { readonly by: 'owner'; readonly owner: string };

/** A CI with its relations both ways, as the CI page shows it. */
export interface CiWithRelations {
  readonly ci: ConfigurationItem;
  readonly outgoing: readonly CiRelation[];
  readonly incoming: readonly CiRelation[];
}

/** What an asset move writes besides the CI: an assignment opened (check-out) or closed (return). */
export interface AssetMove {
  readonly open?: AssetAssignment;
  /** The open assignment with its return filled in; refused when it was returned already. */
  readonly close?: AssetAssignment;
}

/** Where configuration items, their relations and their history live. */
export interface CmdbStore extends RelationReader {
  /**
   * Stores a new CI under the next `CFG` number with its first audit entries. A CI with an
   * external id already taken gets `ConflictError` carrying the existing CI's id.
   */
  create(
    ci: Omit<ConfigurationItem, 'number'>,
    audit: readonly AuditDraft[],
    /** An asset created assigned: its first assignment, in the same transaction. */
    assignment?: AssetAssignment,
  ): Promise<ConfigurationItem>;
  get(id: string): Promise<ConfigurationItem | undefined>;
  /** The CI and its relations both ways: two Queries. */
  getWithRelations(id: string): Promise<CiWithRelations | undefined>;
  findByNumber(number: string): Promise<ConfigurationItem | undefined>;
  /** The CI holding an external id (an ARN, a serial number): one strongly consistent read. */
  findByExternalId(externalId: string): Promise<ConfigurationItem | undefined>;
  /** Replaces a CI still at `expectedVersion`; else `ConflictError` with the current one. */
  update(ci: ConfigurationItem, expectedVersion: number, audit: readonly AuditDraft[]): Promise<void>;
  list(list: CiList, page: PageRequest): Promise<Page<ConfigurationItem>>;
  history(id: string, page: PageRequest): Promise<Page<CiAuditEntry>>;
  /**
   * Stores a relation, refused (`NotFoundError`) when either CI does not exist and
   * (`ConflictError`) when it exists already; audited on both CIs.
   */
  relate(relation: CiRelation, audit: AuditDraft): Promise<void>;
  /** Removes a relation; false when there was none. */
  unrelate(relation: Pick<CiRelation, 'type' | 'from' | 'to'>, audit: AuditDraft): Promise<boolean>;
  /**
   * Moves an asset: the CI at `expectedVersion`, its audit entries and the assignment opened or
   * closed, in one transaction; `ConflictError` when the CI or the assignment changed meanwhile.
   */
  moveAsset(
    ci: ConfigurationItem,
    expectedVersion: number,
    audit: readonly AuditDraft[],
    move: AssetMove,
  ): Promise<void>;
  /** An asset's check-outs and returns, oldest first (one Query). */
  assignments(ciId: string): Promise<readonly AssetAssignment[]>;
  /** Assets in stock of one model (the sparse stock index; eventually consistent). */
  inStock(model: string, page: PageRequest): Promise<Page<ConfigurationItem>>;
  /** Links a record (an incident) and a CI on both sides: a repeated link fails with `ConflictError`. */
  linkRecord(link: StoredLink): Promise<void>;
}
