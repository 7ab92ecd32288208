import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { DynamoDeliveryLedger } from '#adapters/dynamodb/delivery-ledger.dynamo.ts';
import { DynamoGroupStore } from '#adapters/dynamodb/group-store.dynamo.ts';
import { DynamoMailReferenceStore } from '#adapters/dynamodb/mail-references.dynamo.ts';
import { DynamoRateLimiter } from '#adapters/dynamodb/rate-limiter.dynamo.ts';
import { DynamoReportStore } from '#adapters/dynamodb/report-store.dynamo.ts';
import { DynamoSuppressionList } from '#adapters/dynamodb/suppression-list.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { HmacLinkSigner, ulids } from '#adapters/system/system.ts';
import { type NotificationDeps, notifyAboutEvent } from '#channels/email/notifications.ts';
import { satisfactionServices, surveyMailServices } from '#config/satisfaction.ts';
import { addMember, createGroup } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import { countEvent } from '#core/reporting/counting-service.ts';
import { deskCalendar } from '#core/reporting/desk-calendar.ts';
import { buildReport } from '#core/reporting/report-service.ts';
import {
  previewSurvey,
  rateByLink,
  rateTicket,
  type SatisfactionDeps,
  ticketRating,
} from '#core/satisfaction/satisfaction-service.ts';
import {
  authorizeTicketAccess,
  defaultTicketSettings,
  openTicket,
  type TicketDeps,
  updateTicket,
} from '#core/ticket/ticket-service.ts';
import { problemOf } from '#http/problems.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import type { OutboundMail } from '#ports/mail.ts';
import { freshTables } from '../support/dynamodb.ts';

/**
 * Satisfaction surveys on real parts (DynamoDB Local, the HMAC link signer the local cloud
 * uses, the notification function's code): the resolution mail's signed links, rating once by
 * link, changing it in the portal until the survey closes, the low-score follow-up, and the
 * ratings counted in reports per group and agent.
 */
const admin: Actor = { id: 'u-ada', email: 'ada@example.com', groups: ['admins', 'agents'] };
const alex: Actor = { id: 'u-alex', email: 'alex@example.com', groups: ['agents'] };
const emma: Actor = { id: 'u-emma', email: 'emma@example.com', groups: [] };
const walt: Actor = { id: 'u-walt', email: 'walt@example.com', groups: [] };
const MANAGER = 'mona.manager@example.com';
let now = Date.parse('2026-11-09T09:00:00.000Z');
const clock = { now: () => new Date(now) };
const events: DomainEvent[] = [];
const sent: OutboundMail[] = [];
let tickets: TicketDeps;
let satisfaction: SatisfactionDeps;
let notifier: NotificationDeps;
let tables: Awaited<ReturnType<typeof freshTables>>;

beforeAll(async () => {
  tables = await freshTables();
  const groups = new DynamoGroupStore({
    client: tables.documents,
    domainTable: tables.domainTable,
    cacheTtlMs: 0,
  });
  await createGroup({ groups, clock }, admin, {
    id: 'service-desk',
    name: 'Service Desk',
    managerEmail: MANAGER,
  });
  await addMember({ groups, clock }, admin, 'service-desk', { email: alex.email });
  const table = {
    client: tables.documents,
    domainTable: tables.domainTable,
    idempotencyTable: tables.idempotencyTable,
  };
  tickets = {
    tickets: new DynamoTicketStore(table),
    clock,
    ids: ulids,
    events: { publish: async (batch) => void events.push(...batch) },
    groups,
    routing: { route: async () => ({ group: 'service-desk' }) },
    settings: defaultTicketSettings,
  };
  const signer = new HmacLinkSigner(randomBytes(32));
  const settings = { days: 14, followUpAtOrBelow: 2 };
  satisfaction = satisfactionServices(tickets, table, signer, settings, (actor, id) =>
    authorizeTicketAccess(tickets, actor, id),
  );
  const mailer = {
    async send(mail: OutboundMail) {
      sent.push(mail);
      return { providerMessageId: `ses-${sent.length}` };
    },
  };
  notifier = {
    tickets: tickets.tickets,
    mailer,
    references: new DynamoMailReferenceStore(tables.documents, tables.domainTable),
    rateLimiter: new DynamoRateLimiter(tables.documents, tables.idempotencyTable, clock),
    suppressions: new DynamoSuppressionList(tables.documents, tables.domainTable, clock),
    supportAddress: 'support@example.com',
    portalUrl: 'https://help.example.com',
    perRecipientPerHour: 30,
    deliveries: new DynamoDeliveryLedger(tables.documents, tables.idempotencyTable, clock),
    survey: surveyMailServices(
      { ...tickets, groupStore: groups },
      { mailer, portalUrl: 'https://help.example.com', supportAddress: 'support@example.com' },
      signer,
      settings,
    ),
  };
});

/** A ticket of Emma's (Walt watching), worked by Alex and resolved; the mails its events caused. */
async function resolvedTicket() {
  const { ticket } = await openTicket(
    tickets,
    emma,
    { shortDescription: 'Printer jams' },
    { channel: 'portal' },
  );
  await updateTicket(tickets, emma, ticket.id, { version: ticket.version, watchers: [walt.email] });
  const current = async () => (await tickets.tickets.get(ticket.id))?.ticket.version ?? 0;
  await updateTicket(tickets, alex, ticket.id, {
    version: await current(),
    assignee: { email: alex.email },
    state: 'in_progress',
  });
  const from = events.length;
  await updateTicket(tickets, alex, ticket.id, {
    version: await current(),
    state: 'resolved',
    resolutionCode: 'solved',
    resolutionNotes: 'New roller fitted.',
  });
  const before = sent.length;
  for (const event of events.slice(from)) await notifyAboutEvent(notifier, event);
  return { ticket, mails: sent.slice(before) };
}

const tokenOf = (mail: OutboundMail | undefined) => {
  const match = /\/satisfaction\/([A-Za-z0-9_-]+~[A-Za-z0-9_-]+)\?score=5/.exec(mail?.text ?? '');
  if (!match?.[1]) throw new Error('no survey link in the mail');
  return match[1];
};
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected a refusal');
    },
    (error: unknown) => problemOf(error),
  );

describe('satisfaction surveys', () => {
  it('puts one-click rating links in the requester’s resolution mail only; a link rates once, confirmed by POST', async () => {
    const { ticket, mails } = await resolvedTicket();
    const toEmma = mails.find((m) => m.to.includes(emma.email));
    const toWalt = mails.find((m) => m.to.includes(walt.email));
    expect(toEmma?.text).toMatch(/How did we do\?/);
    expect(toEmma?.text).toContain('1 – very poor: https://help.example.com/satisfaction/');
    expect(toWalt?.text).not.toContain('/satisfaction/');
    const token = tokenOf(toEmma);

    expect(await previewSurvey(satisfaction, token)).toMatchObject({
      ticket: { number: ticket.number, summary: 'Printer jams' },
      rated: false,
    });
    const bad = await failure(rateByLink(satisfaction, token, { score: 7 }));
    expect(bad.status).toBe(400);
    expect(bad.body.error.fields?.map((f) => f.path)).toEqual(['score']);

    const rating = await rateByLink(satisfaction, token, { score: 5, comment: 'Quick, thanks' });
    expect(rating).toMatchObject({ score: 5, by: emma.email, agent: alex.email, version: 1 });
    expect((await failure(rateByLink(satisfaction, token, { score: 1 }))).status).toBe(409);
    expect(events.filter((e) => e.type === 'ticket.rated' && e.detail.ticketId === ticket.id)).toHaveLength(
      1,
    );
  });

  it('lets the requester change the rating in the portal until the survey closes; then 410; a link after that too', async () => {
    const { ticket, mails } = await resolvedTicket();
    const token = tokenOf(mails.find((m) => m.to.includes(emma.email)));
    await rateTicket(satisfaction, emma, ticket.id, { score: 4, version: 0 });
    expect((await failure(rateByLink(satisfaction, token, { score: 5 }))).status).toBe(409); // rated already
    const changed = await rateTicket(satisfaction, emma, ticket.id, {
      score: 3,
      comment: 'Took a while',
      version: 1,
    });
    expect(changed).toMatchObject({ score: 3, version: 2 });
    expect((await failure(rateTicket(satisfaction, emma, ticket.id, { score: 2, version: 1 }))).status).toBe(
      409,
    );
    expect((await failure(rateTicket(satisfaction, alex, ticket.id, { score: 5, version: 2 }))).status).toBe(
      403,
    );
    expect(await ticketRating(satisfaction, alex, ticket.id)).toMatchObject({
      rating: { score: 3 },
      open: true,
    });

    const saved = now;
    now += 15 * 86_400_000;
    try {
      expect(
        (await failure(rateTicket(satisfaction, emma, ticket.id, { score: 5, version: 2 }))).status,
      ).toBe(410);
      expect((await failure(rateByLink(satisfaction, token, { score: 5 }))).status).toBe(410);
    } finally {
      now = saved;
    }
  });

  it('mails the group’s manager when a score is low, once', async () => {
    const { ticket } = await resolvedTicket();
    const from = events.length;
    await rateTicket(satisfaction, emma, ticket.id, { score: 1, comment: 'Still jams', version: 0 });
    await rateTicket(satisfaction, emma, ticket.id, { score: 2, version: 1 });
    const before = sent.length;
    for (const event of events.slice(from)) await notifyAboutEvent(notifier, event);
    const followUps = sent.slice(before);
    expect(followUps.map((m) => m.to)).toEqual([[MANAGER]]);
    expect(followUps[0]?.subject).toBe(`[${ticket.number}] Follow up: rated 1 of 5`);
  });

  it('counts ratings in reports per group and agent, a changed rating replacing the one before', async () => {
    const reports = new DynamoReportStore({
      client: tables.documents,
      domainTable: tables.domainTable,
      idempotencyTable: tables.idempotencyTable,
    });
    const calendar = deskCalendar('UTC', 'mon,tue,wed,thu,fri 08:00-18:00');
    for (const event of events) await countEvent({ reports, calendar }, event);
    const report = await buildReport(
      {
        reports,
        groups: { groupsOf: async () => [], listGroups: async () => ({ items: [] }) },
        timeZone: 'UTC',
        clock,
      },
      admin,
      { from: '2026-11-09', to: '2026-11-09', group: 'service-desk' },
    );
    // Ratings now: 5 (first ticket), 3 (second, changed from 4), 2 (third, changed from 1).
    expect(report.total.satisfaction).toEqual({ responses: 3, meanScore: 3.33, satisfiedShare: 0.3333 });
    expect(report.agentSatisfaction).toEqual([{ agent: alex.email, responses: 3, meanScore: 3.33 }]);
  });
});
