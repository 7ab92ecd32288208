/**
 * Keys of assignment groups, memberships and the routing configuration in the domain table:
 *
 * | item                 | pk               | sk               | gsi1 (all groups)                |
 * | -------------------- | ---------------- | ---------------- | -------------------------------- |
 * | group                | `GROUP#<id>`     | `#GROUP`         | `GROUPS` / `<name, lower>#<id>`  |
 * | member of a group    | `GROUP#<id>`     | `MEMBER#<email>` | —                                |
 * | group of an agent    | `AGENT#<email>`  | `GROUP#<id>`     | —                                |
 * | routing config       | `CONFIG#routing` | `#CONFIG`        | —                                |
 *
 * A membership is the two middle items, written and deleted in one transaction, so the
 * members of a group and the groups of an agent are one Query each. Group ids are slugs and
 * addresses are stored lower-case, so neither can forge another key.
 */
export const groupKey = (id: string) => ({ pk: `GROUP#${id}`, sk: '#GROUP' });
export const groupPartition = (id: string) => `GROUP#${id}`;

export const GROUPS_PARTITION = 'GROUPS';
/** Lower-cased names, so the list reads alphabetically however people capitalize. */
export const groupIndexKeys = (name: string, id: string) => ({
  gsi1pk: GROUPS_PARTITION,
  gsi1sk: `${name.toLowerCase()}#${id}`,
});

export const MEMBER_PREFIX = 'MEMBER#';
export const memberKey = (groupId: string, email: string) => ({
  pk: groupPartition(groupId),
  sk: `${MEMBER_PREFIX}${email}`,
});

export const AGENT_GROUP_PREFIX = 'GROUP#';
export const agentPartition = (email: string) => `AGENT#${email}`;
export const agentGroupKey = (email: string, groupId: string) => ({
  pk: agentPartition(email),
  sk: `${AGENT_GROUP_PREFIX}${groupId}`,
});

export const routingConfigKey = () => ({ pk: 'CONFIG#routing', sk: '#CONFIG' });

/** Attributes of these items that are not part of the record, stripped before it is parsed. */
export const groupKeyAttributes = ['pk', 'sk', 'gsi1pk', 'gsi1sk', 'entity'] as const;
