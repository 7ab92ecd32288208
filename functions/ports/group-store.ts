import type { Group, GroupMember } from '#core/group/group.ts';
import type { RoutingConfig } from '#core/routing/routing-rules.ts';
import type { Page, PageRequest } from './ticket-store.ts';

/** Assignment groups, their members and the routing configuration. */
export interface GroupStore {
  /** Stores a new group. Throws `ConflictError` carrying the stored group when the id is taken. */
  createGroup(group: Group): Promise<void>;
  /**
   * Replaces a group, only if its stored version is still `expectedVersion`. Throws
   * `ConflictError` carrying the stored group when it is not, `NotFoundError` when there is none.
   */
  updateGroup(group: Group, expectedVersion: number): Promise<void>;
  getGroup(id: string): Promise<Group | undefined>;
  /** Groups in order of their names. */
  listGroups(page: PageRequest): Promise<Page<Group>>;
  /** Which of these ids name a stored group: how a routing configuration is checked before it is saved. */
  existingGroups(ids: readonly string[]): Promise<ReadonlySet<string>>;

  /**
   * Puts a person in a group (the group's member list and the person's group list change
   * together). Adding someone who is already a member keeps the first membership and returns
   * it with `added: false`. Throws `NotFoundError` when the group does not exist.
   */
  addMember(member: GroupMember): Promise<{ member: GroupMember; added: boolean }>;
  /** Takes a person out of a group; throws `NotFoundError` when they were not in it. */
  removeMember(groupId: string, email: string): Promise<void>;
  /** Members of a group in order of their addresses. */
  listMembers(groupId: string, page: PageRequest): Promise<Page<GroupMember>>;

  /** The routing configuration as stored now; `undefined` before the first save. */
  getRoutingConfig(): Promise<RoutingConfig | undefined>;
  /**
   * Replaces the routing configuration, only if the stored version is still `expectedVersion`
   * (0: nothing stored yet). Throws `ConflictError` carrying the stored configuration otherwise.
   */
  saveRoutingConfig(config: RoutingConfig, expectedVersion: number): Promise<void>;
}
