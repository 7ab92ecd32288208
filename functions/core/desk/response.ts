import * as z from 'zod';
import { Label } from '../record/record.ts';
import { Level } from '../ticket/priority.ts';
import { HoldReason, ResolutionCode, TicketState } from '../ticket/ticket.ts';

export {
  fillPlaceholders,
  type PlaceholderSource,
  placeholderHelp,
  unknownPlaceholders,
} from './placeholders.ts';

/**
 * Canned responses and macros: an agent's own (personal) or a group's shared templates. A
 * response is text with placeholders an agent inserts into a reply; a macro is a response with
 * `actions`, applied in one step that sets the fields and adds the text as a reply or a note
 * (one versioned, audited ticket write).
 */

/** What a macro sets on the ticket. Each is optional; a macro without any is a canned response. */
export const MacroActions = z.strictObject({
  state: TicketState.optional(),
  holdReason: HoldReason.optional(),
  /** With `state: 'resolved'`: the resolution code; the macro's text becomes the resolution notes. */
  resolutionCode: ResolutionCode.optional(),
  impact: Level.optional(),
  urgency: Level.optional(),
  assignmentGroup: Label.optional(),
  /** Assigns the ticket to whoever applies the macro. */
  assignToMe: z.boolean().optional(),
  /** Tags added to the ticket's own (none removed). */
  addTags: z.array(Label).max(10).optional(),
});
export type MacroActions = z.infer<typeof MacroActions>;

export const ResponseScope = z.enum(['personal', 'group']);
export type ResponseScope = z.infer<typeof ResponseScope>;

const Name = z.string().trim().min(1, 'is required').max(80);
const Body = z.string().trim().min(1, 'is required').max(10_000);
const ArticleType = z.enum(['reply', 'note']);

export const CannedResponse = z.object({
  id: z.string().min(1).max(64),
  name: Name,
  body: Body,
  scope: ResponseScope,
  /** The owner's address (personal) or the group id (group). */
  owner: z.string().min(1).max(254),
  /** Whether the text is added as a public reply or an internal note when the macro is applied. */
  articleType: ArticleType,
  actions: MacroActions.optional(),
  createdBy: z.email().max(254),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type CannedResponse = z.infer<typeof CannedResponse>;

/** A new response or macro. Unknown fields are refused (OWASP API3). */
export const CreateResponseInput = z.strictObject({
  name: Name,
  body: Body,
  scope: ResponseScope.default('personal'),
  /** For a group response: the group it belongs to. */
  group: Label.optional(),
  articleType: ArticleType.default('reply'),
  actions: MacroActions.optional(),
});
export type CreateResponseInput = z.input<typeof CreateResponseInput>;

/** A change to a response: the fields given change; `actions: null` turns a macro back into a response. */
export const UpdateResponseInput = z.strictObject({
  version: z.number().int().min(1),
  name: Name.optional(),
  body: Body.optional(),
  articleType: ArticleType.optional(),
  actions: MacroActions.nullable().optional(),
});
export type UpdateResponseInput = z.input<typeof UpdateResponseInput>;

/** Applying a macro to a ticket: the ticket version the agent saw (a stale one is a 409). */
export const ApplyMacroInput = z.strictObject({
  responseId: z.string().min(1).max(64),
  version: z.number().int().min(1),
});
export type ApplyMacroInput = z.input<typeof ApplyMacroInput>;
