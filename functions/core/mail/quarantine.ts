import * as z from 'zod';

/** A message kept out of the ticket flow, with the reason. Never answered; an admin may release it. */
export const QuarantinedMail = z.object({
  id: z.string().min(1).max(64),
  rawKey: z.string().min(1).max(1024),
  reason: z.string().min(1).max(500),
  from: z.string().max(998).optional(),
  subject: z.string().max(998).optional(),
  receivedAt: z.iso.datetime(),
});
export type QuarantinedMail = z.infer<typeof QuarantinedMail>;
