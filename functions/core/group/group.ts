import * as z from 'zod';

/**
 * Assignment groups: the teams tickets are routed to (`service-desk`, `network`). Agents see
 * the queues of the groups they belong to; admins manage groups and their members.
 */

/**
 * A group's id: a lower-case slug, fixed at creation. Tickets, routing rules and DynamoDB keys
 * refer to it, so it never changes; the `name` is what people read and may change.
 */
export const GroupId = z
  .string()
  .min(2)
  .max(64)
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'lower-case letters and digits in words joined by single hyphens');
export type GroupId = z.infer<typeof GroupId>;

const GroupName = z.string().trim().min(1, 'is required').max(100);
const GroupDescription = z.string().trim().max(1000);
const Email = z.email().max(254);

export const Group = z.object({
  id: GroupId,
  name: GroupName,
  description: GroupDescription.optional(),
  /** The group's shared mailbox, for notifications to the whole team. */
  email: Email.optional(),
  managerEmail: Email.optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type Group = z.infer<typeof Group>;

/** A person in a group. Addresses are stored lower-case: they are part of keys and compared often. */
export const GroupMember = z.object({
  groupId: GroupId,
  email: Email,
  name: z.string().max(200).optional(),
  addedAt: z.iso.datetime(),
});
export type GroupMember = z.infer<typeof GroupMember>;

/** A new group. Unknown fields are refused, not ignored (OWASP API3). */
export const CreateGroupInput = z.strictObject({
  id: GroupId,
  name: GroupName,
  description: GroupDescription.optional(),
  email: Email.optional(),
  managerEmail: Email.optional(),
});
export type CreateGroupInput = z.input<typeof CreateGroupInput>;

/**
 * A change to a group: only the fields given change, `null` removes an optional one. `version`
 * is the version the change was made against; a stale one is a conflict, not a silent overwrite.
 */
export const UpdateGroupInput = z.strictObject({
  version: z.number().int().min(1),
  name: GroupName.optional(),
  description: GroupDescription.nullable().optional(),
  email: Email.nullable().optional(),
  managerEmail: Email.nullable().optional(),
});
export type UpdateGroupInput = z.input<typeof UpdateGroupInput>;

export const AddMemberInput = z.strictObject({
  email: Email,
  name: z.string().trim().min(1).max(200).optional(),
});
export type AddMemberInput = z.input<typeof AddMemberInput>;
