import { useCallback } from 'react';
import type { Api } from './api.ts';
import { isAgent, isApprover, usePortal } from './portal-context.ts';
import { useQuery } from './query-cache.ts';
import type { GroupMember } from './types.ts';

/** Cache key of the people Spoke knows by name (group members); invalidate after membership changes. */
export const PEOPLE_KEY = 'people';

async function allPages<T>(read: (cursor?: string) => Promise<{ items: readonly T[]; cursor?: string }>) {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await read(cursor);
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/** Every group's members, read once per session: the names behind the addresses staff see. */
export async function readPeople(api: Api): Promise<readonly GroupMember[]> {
  const groups = await allPages((cursor) => api.listGroups(cursor));
  const members = await Promise.all(
    groups.map((group) => allPages((cursor) => api.listMembers(group.id, cursor)).catch(() => [])),
  );
  return members.flat();
}

/**
 * Names for addresses, from the members of every group (the people staff work with). Employees
 * cannot read groups, so for them (and for unknown addresses) `nameOf` gives the address back.
 */
export function usePeople() {
  const { api, session } = usePortal();
  const staff = isAgent(session) || isApprover(session);
  const fetcher = useCallback(() => (staff ? readPeople(api) : Promise.resolve([])), [api, staff]);
  const { load } = useQuery(PEOPLE_KEY, fetcher, 'The people of the groups could not be loaded.');
  const members = load.status === 'ready' ? load.data : [];
  const names = new Map<string, string>([[session.email.toLowerCase(), session.name]]);
  for (const member of members) if (member.name) names.set(member.email, member.name);
  return {
    members,
    /** The person's name, or the address when Spoke knows no name for it. */
    nameOf: (email: string) => names.get(email.toLowerCase()) ?? email,
  };
}
