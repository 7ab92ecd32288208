import * as z from 'zod';

/**
 * Customer satisfaction (CSAT): one rating per resolved ticket by its requester, 1 (very poor)
 * to 5 (very good), with an optional comment; changeable until the survey closes (a number of
 * days after the resolution, `SATISFACTION_DAYS`).
 */
export const Score = z.number().int().min(1, 'is 1 to 5').max(5, 'is 1 to 5');

export const Rating = z.object({
  ticketId: z.string().min(1).max(64),
  number: z.string().max(20),
  score: Score,
  comment: z.string().max(2000).optional(),
  /** The requester who rated. */
  by: z.email().max(254),
  /** The agent who worked the ticket when it was rated (the score per agent). */
  agent: z.email().max(254).optional(),
  ratedAt: z.iso.datetime(),
  /** Until when the rating may be changed (the survey's end). */
  changeableUntil: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type Rating = z.infer<typeof Rating>;

export const RatingInput = z.strictObject({
  score: z.coerce.number().pipe(Score),
  comment: z.string().trim().max(2000, 'is at most 2000 characters').optional(),
});
export type RatingInput = z.input<typeof RatingInput>;

/** A change of a rating in the portal names the version it saw (0: none yet). */
export const PortalRatingInput = RatingInput.extend({ version: z.number().int().min(0) });
export type PortalRatingInput = z.input<typeof PortalRatingInput>;

/** The signed survey link's payload (the link id and expiry are added by the signer). */
export const SurveyLinkPayload = z.object({
  v: z.literal(1),
  survey: z.literal('csat'),
  ticketId: z.string().min(1).max(64),
  requester: z.email(),
  expiresAt: z.iso.datetime(),
  linkId: z.string().min(1).max(64),
});
export type SurveyLinkPayload = z.infer<typeof SurveyLinkPayload>;

export interface SatisfactionSettings {
  /** Days after the resolution during which a ticket can be rated and the rating changed. @default 14 */
  readonly days: number;
  /** A score at or below this mails a follow-up to the group's manager; 0 turns it off. @default 2 */
  readonly followUpAtOrBelow: number;
}

export const defaultSatisfactionSettings: SatisfactionSettings = { days: 14, followUpAtOrBelow: 2 };

const DAY_MS = 86_400_000;

/** When a ticket's survey closes: `days` after its resolution. */
export const surveyEndOf = (
  settings: SatisfactionSettings,
  ticket: { readonly updatedAt: string; readonly resolution?: { readonly resolvedAt: string } },
): string =>
  new Date(
    Date.parse(ticket.resolution?.resolvedAt ?? ticket.updatedAt) + settings.days * DAY_MS,
  ).toISOString();
