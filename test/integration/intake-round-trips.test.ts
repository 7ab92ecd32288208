import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { type InboundMessage, processInboundMail } from '#channels/email/process-inbound.ts';
import { ourMessageId } from '#channels/email/thread.ts';
import type { TicketStore } from '#ports/ticket-store.ts';
import { type MailWorld, mailWorld } from '../support/mail-world.ts';

/**
 * The intake's independent calls run side by side (issue 20: a new 5 KB mail in ≤ 4 sequential
 * round trips): each test holds one call open and checks that the call which does not depend
 * on it has started meanwhile. On the old, sequential pipeline each of them waits forever for
 * the held call, so the hold gives up after a while and the order shows it.
 */

const SUPPORT = 'support@help.example.com';
const HOLD_MS = 1500;
let world: MailWorld;

beforeAll(async () => {
  world = await mailWorld(SUPPORT);
});

function delivered(from: string, headers: string[] = [], recipients = [SUPPORT]): InboundMessage {
  const id = randomUUID();
  const raw = [
    `From: ${from}`,
    `To: ${SUPPORT}`,
    `Message-ID: <${id}@example.com>`,
    'Subject: Printer on the second floor jams',
    ...headers,
    '',
    'It jams on every second page since this morning.',
  ].join('\r\n');
  world.raw.set(`raw/${id}`, Buffer.from(raw));
  return {
    sesMessageId: id,
    rawKey: `raw/${id}`,
    recipients,
    verdicts: {},
    receivedAt: new Date().toISOString(),
  };
}

/** The world's ticket store with some methods replaced (a proxy: the store keeps its private fields). */
function withTickets(overrides: Partial<TicketStore>): TicketStore {
  return new Proxy(world.tickets, {
    get(target, property) {
      if (typeof property === 'string' && property in overrides)
        return overrides[property as keyof TicketStore];
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** Resolves when `released` is called, or after HOLD_MS: the order of `log` tells which. */
function hold(log: string[], name: string) {
  let release = () => {};
  const held = new Promise<void>((resolve) => {
    release = resolve;
    setTimeout(resolve, HOLD_MS);
  }).then(() => void log.push(`${name} done`));
  return { held, release: () => release() };
}

describe('the inbound pipeline runs independent calls side by side', () => {
  it('takes the number of a new ticket while the copy check runs, and the ticket carries it', async () => {
    const log: string[] = [];
    const claim = hold(log, 'claim');
    const tickets: TicketStore = withTickets({
      reserveNumber: (kind: 'incident') => {
        log.push('reserve');
        claim.release();
        return world.tickets.reserveNumber?.(kind);
      },
    });
    const deps = {
      ...world.deps,
      tickets,
      dedupe: {
        claim: async (key: string, sesMessageId: string) => {
          await claim.held;
          return world.deps.dedupe.claim(key, sesMessageId);
        },
      },
    };

    const outcome = await processInboundMail(deps, delivered('kim@example.com'));

    expect(log).toEqual(['reserve', 'claim done']);
    expect(outcome.kind).toBe('ticket');
  });

  it('sends the acknowledgement while the new ticket’s events are still being published', async () => {
    const log: string[] = [];
    const publish = hold(log, 'publish');
    const deps = {
      ...world.deps,
      events: { publish: () => publish.held },
      mailer: {
        send: async (mail: Parameters<MailWorld['deps']['mailer']['send']>[0]) => {
          log.push('send');
          publish.release();
          return world.deps.mailer.send(mail);
        },
      },
    };

    const outcome = await processInboundMail(deps, delivered('lee@example.com'));

    expect(log).toEqual(['send', 'publish done']);
    expect(outcome).toMatchObject({ kind: 'ticket', acknowledged: true });
  });

  it('reads the ticket a reply answers once, while the copy check runs', async () => {
    const first = await processInboundMail(world.deps, delivered('max@example.com'));
    if (first.kind !== 'ticket') throw new Error(`expected a ticket, got ${first.kind}`);
    const log: string[] = [];
    const claim = hold(log, 'claim');
    let reads = 0;
    const tickets: TicketStore = withTickets({
      get: (id: string) => {
        reads++;
        log.push('read');
        claim.release();
        return world.tickets.get(id);
      },
    });
    const deps = {
      ...world.deps,
      tickets,
      dedupe: {
        claim: async (key: string, sesMessageId: string) => {
          await claim.held;
          return world.deps.dedupe.claim(key, sesMessageId);
        },
      },
    };
    const inReplyTo = ourMessageId(first.ticket.id, 'ack', 'help.example.com');

    const reply = await processInboundMail(
      deps,
      delivered('max@example.com', [`In-Reply-To: ${inReplyTo}`, `References: ${inReplyTo}`]),
    );

    expect(reply).toMatchObject({ kind: 'article', threadedBy: 'message-id' });
    expect(log).toEqual(['read', 'claim done']);
    expect(reads).toBe(1);
  });

  it('opens no ticket for a second copy whose number was taken ahead: a gap, never a second ticket', async () => {
    const message = delivered('noa@example.com');
    const copy = { ...message, sesMessageId: randomUUID() };

    const outcomes = [
      await processInboundMail(world.deps, message),
      await processInboundMail(world.deps, copy),
    ];

    expect(outcomes.map((o) => o.kind)).toEqual(['ticket', 'duplicate']);
  });
});
