/** Which assignment groups an agent belongs to: the basis of group-scoped visibility and queues. */
export interface GroupDirectory {
  /** Group ids of the person with this address (lower-case). */
  groupsOf(email: string): Promise<readonly string[]>;
}
