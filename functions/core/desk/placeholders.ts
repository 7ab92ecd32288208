/**
 * Placeholders of canned responses and macros, filled in the same way by the server (a macro's
 * text) and the portal (a response inserted into a reply). Free of zod, so the portal bundles
 * only this.
 */

/** The placeholders a template may hold, and what each becomes on a ticket. */
export const placeholderHelp = {
  '{requester}': "the requester's first name",
  '{requester_name}': "the requester's full name",
  '{number}': 'the ticket number',
  '{summary}': "the ticket's short description",
  '{link}': 'the link to the ticket in the portal',
  '{agent}': 'your name',
} as const;
export type Placeholder = keyof typeof placeholderHelp;

/** Placeholders in a text that Spoke does not know (so a typo is refused, never sent as is). */
export function unknownPlaceholders(text: string): string[] {
  return [...text.matchAll(/\{[a-z_]+\}/g)]
    .map((m) => m[0])
    .filter((p, i, all) => !(p in placeholderHelp) && all.indexOf(p) === i);
}

/** What filling in needs of a ticket: shaped so both the server's and the portal's ticket fit. */
export interface PlaceholderSource {
  readonly id: string;
  readonly number: string;
  readonly shortDescription: string;
  readonly requester: { readonly email: string; readonly name?: string | undefined };
}

/** The text with every placeholder filled in for this ticket (the portal and the server share this). */
export function fillPlaceholders(
  text: string,
  ticket: PlaceholderSource,
  context: { readonly portalUrl: string; readonly agent: { readonly email: string; readonly name?: string } },
): string {
  const full = ticket.requester.name?.trim() || ticket.requester.email;
  const values: Record<Placeholder, string> = {
    '{requester}': full.split(/\s+/)[0] ?? full,
    '{requester_name}': full,
    '{number}': ticket.number,
    '{summary}': ticket.shortDescription,
    '{link}': `${context.portalUrl.replace(/\/$/, '')}/tickets/${encodeURIComponent(ticket.id)}`,
    '{agent}': context.agent.name?.trim() || context.agent.email,
  };
  return text.replace(/\{[a-z_]+\}/g, (p) => (p in values ? values[p as Placeholder] : p));
}
