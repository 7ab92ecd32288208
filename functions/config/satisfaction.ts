import type { RecordTableOptions } from '#adapters/dynamodb/record-table.ts';
import { DynamoSatisfactionStore } from '#adapters/dynamodb/satisfaction-store.dynamo.ts';
import type { SatisfactionSettings } from '#core/satisfaction/satisfaction.ts';
import type { SatisfactionDeps } from '#core/satisfaction/satisfaction-service.ts';
import type { SurveyMailDeps } from '#core/satisfaction/survey-mail.ts';
import type { TicketDeps } from '#core/ticket/ticket-service.ts';
import type { GroupStore } from '#ports/group-store.ts';
import type { LinkSigner } from '#ports/link-signer.ts';
import type { Mailer } from '#ports/mail.ts';

/** The survey settings from the functions' environment (`satisfactionEnv`). */
export const satisfactionSettings = (env: {
  readonly SATISFACTION_DAYS: string;
  readonly SATISFACTION_FOLLOW_UP_AT_OR_BELOW: string;
}): SatisfactionSettings => ({
  days: Number(env.SATISFACTION_DAYS),
  followUpAtOrBelow: Number(env.SATISFACTION_FOLLOW_UP_AT_OR_BELOW),
});

/** The API's side of satisfaction surveys: ratings on the domain table, links verified by the signer. */
export function satisfactionServices(
  data: Pick<TicketDeps, 'tickets' | 'clock' | 'ids' | 'events'>,
  table: RecordTableOptions,
  signer: LinkSigner,
  settings: SatisfactionSettings,
  authorizeTicket: SatisfactionDeps['authorizeTicket'],
): SatisfactionDeps {
  return {
    ratings: new DynamoSatisfactionStore(table),
    tickets: data.tickets,
    signer,
    clock: data.clock,
    ids: data.ids,
    events: data.events,
    authorizeTicket,
    settings,
  };
}

/** The notifications function's side: survey links in resolution mail, low-score follow-ups. */
export function surveyMailServices(
  data: Pick<TicketDeps, 'tickets' | 'clock' | 'ids'> & { readonly groupStore: Pick<GroupStore, 'getGroup'> },
  mail: { readonly mailer: Mailer; readonly portalUrl: string; readonly supportAddress: string },
  signer: LinkSigner,
  settings: SatisfactionSettings,
): SurveyMailDeps {
  return {
    signer,
    clock: data.clock,
    ids: data.ids,
    tickets: data.tickets,
    managerOf: async (group) => (await data.groupStore.getGroup(group))?.managerEmail,
    ...mail,
    settings,
  };
}
