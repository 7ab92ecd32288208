import * as z from 'zod';

/** Cognito groups with a meaning in Spoke; employees belong to none of them. */
export const Role = z.enum(['agents', 'approvers', 'admins']);
export type Role = z.infer<typeof Role>;

/**
 * Who is acting: a signed-in person (from the verified token), a mail sender, or the
 * system itself (timers, workflows). Every core operation takes one, for authorization and audit.
 */
export const Actor = z.object({
  id: z.string().min(1).max(200),
  email: z.email().max(254),
  name: z.string().max(200).optional(),
  groups: z.array(z.string().max(128)).max(100),
});
export type Actor = z.infer<typeof Actor>;

export const isAgent = (actor: Actor): boolean => actor.groups.includes('agents') || isAdmin(actor);
export const isAdmin = (actor: Actor): boolean => actor.groups.includes('admins');

/** Mail addresses compare case-insensitively in practice (RFC 5321 allows otherwise, nobody does). */
export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

/** The actor for work Spoke does on its own (auto-close, workflows, mail acknowledgements). */
export const systemActor: Actor = { id: 'system', email: 'system@spoke.invalid', name: 'Spoke', groups: [] };
