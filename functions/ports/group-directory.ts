/** Which assignment groups exist and who is in them: the basis of group-scoped visibility and assignment. */
export interface GroupDirectory {
  /** Group ids of the person with this address (lower-case). */
  groupsOf(email: string): Promise<readonly string[]>;
  /** Those of the given group ids that exist. */
  existingGroups(ids: readonly string[]): Promise<ReadonlySet<string>>;
}
