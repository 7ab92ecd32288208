import * as z from 'zod';

/** A message kept out of the ticket flow, with the reason. Never answered; an admin may release it. */
export const QuarantinedMail = z.object({
  id: z.string().min(1).max(64),
  rawKey: z.string().min(1).max(1024),
  reason: z.string().min(1).max(500),
  from: z.string().max(998).optional(),
  subject: z.string().max(998).optional(),
  receivedAt: z.iso.datetime(),
  /** The start of the plain text, so an admin can judge the message without opening it. */
  preview: z.string().max(2000).optional(),
  /** Set once an admin released the message into the ticket flow. */
  released: z
    .object({
      at: z.iso.datetime(),
      by: z.string().max(254),
      ticketNumber: z.string().max(16).optional(),
      ticketId: z.string().max(64).optional(),
    })
    .optional(),
  /** The last release that made no ticket, and why (the message stays in quarantine). */
  releaseFailure: z
    .object({ at: z.iso.datetime(), by: z.string().max(254), reason: z.string().max(500) })
    .optional(),
  /** Set when an admin threw the message away: it stays listed, marked, and is never released. */
  discarded: z.object({ at: z.iso.datetime(), by: z.string().max(254) }).optional(),
});
export type QuarantinedMail = z.infer<typeof QuarantinedMail>;
