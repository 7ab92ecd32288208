import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { defaultAttachmentPolicy } from '#channels/email/attachment-types.ts';
import { automaticMailReason } from '#channels/email/filters/automatic-mail.ts';
import { verdictQuarantineReason } from '#channels/email/filters/ses-verdicts.ts';
import { mailLimits, type ParsedMail, parseMail } from '#channels/email/parse.ts';
import {
  type InboundMailDeps,
  type InboundOutcome,
  processInboundMail,
} from '#channels/email/process-inbound.ts';
import type { Actor } from '#core/identity/actor.ts';
import { QuarantinedMail } from '#core/mail/quarantine.ts';
import { ConflictError, ValidationError } from '#core/shared/errors.ts';
import { Article } from '#core/ticket/article.ts';
import { FIRST_SEQUENCE, formatTicketNumber, Ticket } from '#core/ticket/ticket.ts';
import { defaultTicketSettings, openTicket } from '#core/ticket/ticket-service.ts';
import type { OutboundMail } from '#ports/mail.ts';
import type { TicketStore } from '#ports/ticket-store.ts';

/**
 * Robustness of the mail intake against malformed MIME: deep nesting, giant and countless
 * headers, broken boundaries, bad charsets and transfer encodings, control bytes, endless
 * lines, empty input, garbage. Whatever arrives, `parseMail` either returns or throws a
 * ValidationError, the filters answer, and `processInboundMail` ends in one of its outcomes
 * (ticket, article, quarantine): each message within a fixed time, a batch within a
 * generous memory bound. The pipeline runs on in-memory ports that validate what they store
 * the way the DynamoDB adapters do.
 */

/**
 * Per message, in CPU time of this test process (vitest runs each file in its own fork), so
 * a loaded machine, which stretches wall time, cannot fail it; a pathological input (a
 * backtracking regular expression, a quadratic loop) still does.
 */
const LIMIT_MS = 2000;
/** The CPU milliseconds this process has used so far (user and system). */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
const SUPPORT = 'support@spoke.example';
const ENCODER = new TextEncoder();
/** Bytes from a string whose code units are bytes (latin1), so any byte can be written. */
const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const concat = (...parts: Uint8Array[]) => new Uint8Array(Buffer.concat(parts));
const message = (headers: readonly string[], body: string | Uint8Array = 'Hello') =>
  concat(bytes(`${headers.join('\r\n')}\r\n\r\n`), typeof body === 'string' ? bytes(body) : body);

// ---------------------------------------------------------------- in-memory ports

const emma: Actor = { id: 'mail:emma@example.com', email: 'emma@example.com', groups: [] };
/** The ids the world hands out: ULID-shaped, so a Message-ID of ours can name the first ticket. */
const idOf = (n: number) => `01J${String(n).padStart(23, '0')}`;
const EXISTING_TICKET_ID = idOf(1);
const EXISTING_NUMBER = formatTicketNumber('incident', FIRST_SEQUENCE);

/** Ports in memory, holding one ticket of Emma's that replies can thread into. */
async function memoryWorld() {
  const tickets = new Map<string, Ticket>();
  const articles = new Map<string, Article[]>();
  const usedKeys = new Map<string, string>();
  const quarantined = new Map<string, QuarantinedMail>();
  const references = new Map<string, string>();
  const raw = new Map<string, Uint8Array>();
  const sent: OutboundMail[] = [];
  let sequence = FIRST_SEQUENCE - 1;
  let ids = 0;
  const ticketStore: TicketStore = {
    async create({ ticket, firstArticle, idempotencyKey }, kind) {
      const known = idempotencyKey ? usedKeys.get(idempotencyKey) : undefined;
      if (known) return { ticket: tickets.get(known) as Ticket, created: false };
      const stored = Ticket.parse({ ...ticket, number: formatTicketNumber(kind, ++sequence) });
      tickets.set(stored.id, stored);
      articles.set(stored.id, [Article.parse(firstArticle)]);
      if (idempotencyKey) usedKeys.set(idempotencyKey, stored.id);
      return { ticket: stored, created: true };
    },
    async get(id) {
      const ticket = tickets.get(id);
      return ticket ? { ticket, articles: articles.get(id) ?? [], children: [] } : undefined;
    },
    async update({ ticket, expectedVersion, articles: added, idempotencyKey }) {
      const current = tickets.get(ticket.id);
      if (idempotencyKey && usedKeys.has(idempotencyKey))
        return { ticket: current as Ticket, applied: false };
      if (!current || current.version !== expectedVersion) throw new ConflictError('stale', current);
      const stored = Ticket.parse(ticket);
      tickets.set(stored.id, stored);
      articles.get(stored.id)?.push(...(added ?? []).map((a) => Article.parse(a)));
      if (idempotencyKey) usedKeys.set(idempotencyKey, stored.id);
      return { ticket: stored, applied: true };
    },
    updateTogether: async () => {
      throw new Error('Mail never merges tickets');
    },
    list: async () => ({ items: [] }),
    findByNumber: async (number) => [...tickets.values()].find((t) => t.number === number),
    history: async () => ({ items: [] }),
    dueForAutoClose: async () => [],
  };
  const deps: InboundMailDeps = {
    tickets: ticketStore,
    clock: { now: () => new Date(Date.UTC(2026, 10, 28, 9, 0, ids)) },
    ids: { next: () => idOf(++ids) },
    events: { publish: async () => {} },
    groups: { groupsOf: async () => [], existingGroups: async () => new Set<string>() },
    routing: { route: async () => ({}) },
    settings: defaultTicketSettings,
    rateLimiter: { tryTake: async () => true },
    attachments: {
      storage: {
        put: async () => undefined,
        presignUpload: async () => ({ url: '', headers: {}, expiresAt: '' }),
        presignDownload: async () => ({ url: '', expiresAt: '' }),
        head: async () => undefined,
      },
      records: {
        put: async () => undefined,
        get: async () => undefined,
        listForTicket: async () => ({ items: [] }),
        markAvailable: async (a) => a,
      },
      clock: { now: () => new Date() },
    },
    suppressions: { suppress: async () => undefined, suppressed: async () => new Set<string>() },
    mailBodies: { put: async () => undefined, get: async () => undefined },
    dedupe: { claim: async (_key, sesMessageId) => ({ first: sesMessageId }) },
    autoReplyTickets: { ticketFor: async () => undefined, remember: async () => undefined },
    attachmentPolicy: defaultAttachmentPolicy,
    unknownSenders: { policy: 'create', knownDomains: [] },
    ackLimits: { perSenderPerHour: 5, perMinute: 120 },
    rawMail: {
      get: async (key) => {
        const found = raw.get(key);
        if (!found) throw new Error(`no raw message under ${key}`);
        return found;
      },
      put: async (key, value) => void raw.set(key, value),
    },
    quarantine: {
      put: async (mail) => void quarantined.set(mail.id, QuarantinedMail.parse(mail)),
      list: async () => ({ items: [...quarantined.values()] }),
      get: async (id) => quarantined.get(id),
      markReleased: async () => undefined,
    },
    references: {
      remember: async (messageIds, ticketId) => {
        for (const id of messageIds) references.set(id.toLowerCase(), ticketId);
      },
      ticketFor: async (messageIds) =>
        messageIds.map((id) => references.get(id.toLowerCase())).find((t) => t !== undefined),
    },
    mailer: {
      send: async (mail) => {
        sent.push(mail);
        return { providerMessageId: `out-${sent.length}` };
      },
    },
    supportAddress: SUPPORT,
    portalUrl: 'https://portal.spoke.example',
  };
  const existing = await openTicket(
    deps,
    emma,
    { shortDescription: 'Printer on fire' },
    { channel: 'email', idempotencyKey: 'seed' },
  );
  expect(existing.ticket).toMatchObject({ id: EXISTING_TICKET_ID, number: EXISTING_NUMBER });
  return { deps, tickets, articles, quarantined, raw, sent };
}

let messages = 0;
/** What the pipeline made of the fuzzed mail, printed after the pipeline property. */
const tally = new Map<string, number>();

/** One message through the whole pipeline, checked for its outcome and its time. */
async function throughPipeline(raw: Uint8Array, recipients: readonly string[] = [SUPPORT]) {
  const world = await memoryWorld();
  const sesMessageId = `fuzz-${++messages}`;
  const rawKey = `inbound/${sesMessageId}`;
  world.raw.set(rawKey, raw);
  const started = cpuMs();
  const outcome: InboundOutcome = await processInboundMail(world.deps, {
    sesMessageId,
    rawKey,
    envelopeSender: 'emma@example.com',
    recipients,
    verdicts: { spam: 'PASS', virus: 'PASS', dmarc: 'PASS' },
    receivedAt: '2026-11-28T09:00:00.000Z',
  });
  const ms = cpuMs() - started;
  const key = outcome.kind === 'quarantined' ? `quarantined: ${outcome.reason.slice(0, 60)}` : outcome.kind;
  tally.set(key, (tally.get(key) ?? 0) + 1);
  expect(ms, `processInboundMail took ${Math.round(ms)} ms of CPU`).toBeLessThan(LIMIT_MS);
  switch (outcome.kind) {
    case 'ticket':
      expect(world.tickets.get(outcome.ticket.id)).toBeDefined();
      expect(world.articles.get(outcome.ticket.id)?.length).toBeGreaterThan(0);
      break;
    case 'article':
      expect(world.articles.get(outcome.ticket.id)?.map((a) => a.id)).toContain(outcome.articleId);
      break;
    case 'quarantined':
      expect(outcome.reason.trim()).not.toBe('');
      expect(world.quarantined.get(sesMessageId)?.reason).toBe(outcome.reason);
      break;
    default:
      expect.fail(`unknown outcome ${JSON.stringify(outcome)}`);
  }
  return outcome;
}

/** The pure part: the parser returns or throws a ValidationError, and the filters answer. */
async function throughParser(raw: Uint8Array): Promise<ParsedMail | undefined> {
  const started = cpuMs();
  let mail: ParsedMail | undefined;
  try {
    mail = await parseMail(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
  }
  if (mail) {
    for (const envelope of [undefined, '', '<>', 'emma@example.com', 'MAILER-DAEMON@example.com']) {
      const reason = automaticMailReason(mail, envelope);
      expect(reason === undefined || typeof reason === 'string').toBe(true);
    }
  }
  const ms = cpuMs() - started;
  expect(ms, `parseMail and the filters took ${Math.round(ms)} ms of CPU`).toBeLessThan(LIMIT_MS);
  return mail;
}

// ---------------------------------------------------------------- generators of malformed MIME

const from = fc.constantFrom(
  'From: Emma <emma@example.com>',
  'From: emma@example.com',
  'From: "Emma, the caller" <EMMA@Example.COM>',
  'From: no-reply@vendor.example',
  'From: <>',
  'From:',
  'From: =?x-unknown?B?////?= <emma@example.com>',
  'From: undisclosed-recipients:;',
  'From: <<<@>>>',
  '',
);
const subject = fc.constantFrom(
  'Subject: Printer broken',
  `Subject: Re: [${EXISTING_NUMBER}] Printer on fire`,
  'Subject: =?utf-7?Q?+AGEAYgBj-?=',
  'Subject: =?x-unknown?B?AAEC?=',
  'Subject: =?utf-8?B?w?=',
  'Subject: =?utf-8?Q?=FF=FE=00?=',
  'Subject:',
  '',
);
/** A follow-up of Emma's ticket, so that threading runs on the malformed mail too. */
const threading = fc.constantFrom(
  [],
  [`In-Reply-To: <${EXISTING_TICKET_ID}.ack@spoke.example>`],
  [`References: <x@y.z> <${EXISTING_TICKET_ID}.ack@spoke.example> <<<<`],
  ['In-Reply-To: <', `References: ${'<a@b> '.repeat(500)}`],
);
const envelope = fc.tuple(from, subject, threading).map(([f, s, t]) => [f, s, ...t].filter(Boolean));
const text = fc.string({ maxLength: 200 });
const anyBytes = (maxLength: number) => fc.uint8Array({ maxLength });

const deepNestingCase = fc
  .record({
    headers: envelope,
    depth: fc.integer({ min: mailLimits.maxNestingDepth + 1, max: 400 }),
    closed: fc.boolean(),
    sameBoundary: fc.boolean(),
    kind: fc.constantFrom('multipart/mixed', 'multipart/alternative', 'message/rfc822'),
  })
  .map(({ headers, depth, closed, sameBoundary, kind }) => {
    let open = '';
    let close = '';
    for (let i = 0; i < depth; i++) {
      const b = sameBoundary ? 'b' : `b${i}`;
      open +=
        kind === 'message/rfc822'
          ? 'Content-Type: message/rfc822\r\n\r\nFrom: x@y.z\r\n'
          : `Content-Type: ${kind}; boundary="${b}"\r\n\r\n--${b}\r\n`;
      if (closed && kind !== 'message/rfc822') close = `\r\n--${b}--\r\n${close}`;
    }
    // The first Content-Type line joins the top-level header block.
    const raw = bytes(
      `${[...headers, 'MIME-Version: 1.0'].join('\r\n')}\r\n${open}Content-Type: text/plain\r\n\r\nleaf${close}`,
    );
    // Distinct boundaries nest for real; a reused one closes its parent, and message/rfc822
    // parts past the parser's inline depth become attachments instead.
    return { raw, mustRefuse: kind !== 'message/rfc822' && !sameBoundary };
  });
const deepNesting = deepNestingCase.map(({ raw }) => raw);

const shallowNesting = fc
  .record({ headers: envelope, depth: fc.integer({ min: 1, max: mailLimits.maxNestingDepth - 2 }) })
  .map(({ headers, depth }) => {
    let body = 'Content-Type: text/plain\r\n\r\nleaf';
    for (let i = 0; i < depth; i++) {
      body = `Content-Type: multipart/mixed; boundary="n${i}"\r\n\r\n--n${i}\r\n${body}\r\n--n${i}--\r\n`;
    }
    const [top, ...rest] = body.split('\r\n\r\n');
    return message([...headers, 'MIME-Version: 1.0', top as string], rest.join('\r\n\r\n'));
  });

const giantHeader = fc
  .record({
    headers: envelope,
    size: fc.integer({ min: mailLimits.maxHeadersSize + 1, max: 1024 * 1024 }),
    where: fc.constantFrom('one line', 'folded', 'subject', 'part header', 'from'),
  })
  .map(({ headers, size, where }) => {
    const value = 'x'.repeat(size);
    switch (where) {
      case 'one line':
        return message([...headers, `X-Giant: ${value}`]);
      case 'folded':
        return message([
          ...headers,
          `X-Folded: ${'y'
            .repeat(70)
            .concat('\r\n ')
            .repeat(Math.ceil(size / 70))}`,
        ]);
      case 'subject':
        return message([`Subject: ${value}`, ...headers]);
      case 'from':
        return message([`From: ${'a'.repeat(size)}@example.com`, ...headers]);
      default:
        return message(
          [...headers, 'Content-Type: multipart/mixed; boundary=p'],
          `--p\r\nContent-Type: text/plain\r\nX-Part: ${value}\r\n\r\nhi\r\n--p--\r\n`,
        );
    }
  });

const thousandsOfHeaders = fc
  .record({
    headers: envelope,
    count: fc.integer({ min: 1000, max: 30_000 }),
    name: fc.constantFrom('X-H', 'Received', 'Subject', 'From', 'Content-Type', 'References'),
  })
  .map(({ headers, count, name }) => {
    const lines: string[] = [...headers];
    for (let i = 0; i < count; i++) lines.push(`${name}: v${i}${name === 'From' ? '@example.com' : ''}`);
    return message(lines);
  });

const brokenBoundaries = fc
  .record({
    headers: envelope,
    variant: fc.constantFrom(
      'no boundary parameter',
      'boundary never used',
      'never closed',
      'closed twice',
      'same boundary nested',
      'boundary in body',
      'empty boundary',
      'huge boundary',
      'regex boundary',
      'boundary prefix of another',
      'only delimiters',
      'unquoted with spaces',
    ),
    parts: fc.integer({ min: 0, max: 200 }),
    filler: text,
  })
  .map(({ headers, variant, parts, filler }) => {
    const mp = (b: string) => `Content-Type: multipart/mixed; boundary="${b}"`;
    const part = (b: string, body: string) => `--${b}\r\nContent-Type: text/plain\r\n\r\n${body}\r\n`;
    const many = (b: string, body: string) => Array.from({ length: parts }, () => part(b, body)).join('');
    switch (variant) {
      case 'no boundary parameter':
        return message([...headers, 'Content-Type: multipart/mixed'], many('x', filler));
      case 'boundary never used':
        return message([...headers, mp('zzz')], many('x', filler));
      case 'never closed':
        return message([...headers, mp('b')], many('b', filler));
      case 'closed twice':
        return message([...headers, mp('b')], `${many('b', filler)}--b--\r\n--b--\r\n${many('b', filler)}`);
      case 'same boundary nested':
        return message([...headers, mp('b')], `--b\r\n${mp('b')}\r\n\r\n${many('b', filler)}--b--\r\n--b--`);
      case 'boundary in body':
        return message(
          [...headers, mp('b')],
          `${many('b', `text --b mentions --b-- itself\r\n--b${filler}`)}--b--`,
        );
      case 'empty boundary':
        return message([...headers, 'Content-Type: multipart/mixed; boundary=""'], many('', filler));
      case 'huge boundary': {
        const b = 'B'.repeat(20_000);
        return message([...headers, mp(b)], `${many(b, filler)}--${b}--`);
      }
      case 'regex boundary':
        return message([...headers, mp('(.*)+$[')], `${many('(.*)+$[', filler)}--(.*)+$[--`);
      case 'boundary prefix of another':
        return message(
          [...headers, mp('b')],
          `--b\r\n${mp('bb')}\r\n\r\n${many('bb', filler)}--b--\r\n${many('bb', filler)}--bb--`,
        );
      case 'only delimiters':
        return message([...headers, mp('d')], '--d\r\n'.repeat(parts));
      default:
        return message([...headers, 'Content-Type: multipart/mixed; boundary=a b c'], many('a', filler));
    }
  });

const badCharsets = fc
  .record({
    headers: envelope,
    charset: fc.constantFrom(
      'x-unknown',
      'utf-7',
      'UTF-7',
      'utf-8',
      'us-ascii',
      'iso-2022-jp',
      'shift_jis',
      'utf-16',
      'utf-32',
      'ks_c_5601-1987',
      '',
      '"',
      'utf-8"; charset="latin1',
      '\u0000',
    ),
    body: fc.oneof(
      anyBytes(4000),
      fc.constant(bytes('\xff\xfe\xc3\x28\xa0\xa1\xe2\x28\xa1\xf0\x28\x8c\xbc\xed\xa0\x80')),
      fc.constant(bytes('+AGEAYgBj- +ZeVnLIqe- +/v8- +')),
      fc.constant(ENCODER.encode('Überweisung ärgerlich – 日本語')),
    ),
    html: fc.boolean(),
    encodedWord: fc.uint8Array({ maxLength: 60 }).map((b) => Buffer.from(b).toString('base64')),
  })
  .map(({ headers, charset, body, html, encodedWord }) =>
    message(
      [
        ...headers,
        `Content-Type: text/${html ? 'html' : 'plain'}; charset=${charset}`,
        `X-Word: =?${charset}?B?${encodedWord}?=`,
        `Subject: =?${charset}?Q?=E4=F6=FC=00?= =?${charset}?B?${encodedWord}?=`,
      ],
      body,
    ),
  );

const badTransferEncodings = fc
  .record({
    headers: envelope,
    encoding: fc.constantFrom(
      'base64',
      'BASE64',
      'quoted-printable',
      'x-uuencode',
      '7bit',
      '8bit',
      'binary',
      'bogus',
      'base64; foo',
      '',
    ),
    body: fc.oneof(
      anyBytes(3000).map((b) => Buffer.from(b).toString('base64').slice(0, -3)),
      fc.constant('QUJD\r\n===\r\n@@@@\r\nQQ'),
      fc.constant('=ZZ=\r\n=\r\n=0=1=2 trailing =\r\nsoft break=\r\n=E2=82'),
      fc.constant(`${'='.repeat(5000)}\r\n`),
      fc.constant('begin 644 x.bin\r\n#86)C\r\n'),
      fc.string({ maxLength: 2000 }),
    ),
    multipart: fc.boolean(),
    attachment: fc.boolean(),
  })
  .map(({ headers, encoding, body, multipart, attachment }) => {
    const type = attachment ? 'application/octet-stream; name="a.bin"' : 'text/plain; charset=utf-8';
    const cte = `Content-Transfer-Encoding: ${encoding}`;
    return multipart
      ? message(
          [...headers, 'Content-Type: multipart/mixed; boundary=e'],
          `--e\r\nContent-Type: ${type}\r\n${cte}\r\n\r\n${body}\r\n--e--\r\n`,
        )
      : message([...headers, `Content-Type: ${type}`, cte], body);
  });

const aValidMessage = message(
  [
    'From: Emma <emma@example.com>',
    'To: support@spoke.example',
    'Subject: Printer broken',
    'Message-ID: <m1@example.com>',
    'MIME-Version: 1.0',
    'Content-Type: multipart/alternative; boundary="alt"',
  ],
  [
    '--alt',
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: quoted-printable',
    '',
    'The printer on floor 2 is broken =E2=80=93 again.',
    '--alt',
    'Content-Type: text/html; charset=utf-8',
    'Content-Transfer-Encoding: base64',
    '',
    Buffer.from('<p>The printer on floor 2 is broken &ndash; again.</p>').toString('base64'),
    '--alt--',
    '',
  ].join('\r\n'),
);

const controlBytes = fc
  .record({
    positions: fc.array(fc.nat({ max: aValidMessage.length }), { minLength: 1, maxLength: 50 }),
    byte: fc.constantFrom(0x00, 0x0d, 0x0a, 0x1b, 0x7f, 0xff),
    run: fc.integer({ min: 1, max: 5000 }),
  })
  .map(({ positions, byte, run }) => {
    let out = aValidMessage;
    for (const at of [...positions].sort((a, b) => b - a)) {
      out = concat(out.subarray(0, at), new Uint8Array(run).fill(byte), out.subarray(at));
    }
    return out;
  });

const longLines = fc
  .record({
    headers: envelope,
    length: fc.integer({ min: 100_000, max: 4_000_000 }),
    char: fc.constantFrom('a', ' ', '=', '\t', '-', '\r', '.'),
    html: fc.boolean(),
  })
  .map(({ headers, length, char, html }) =>
    message([...headers, `Content-Type: text/${html ? 'html' : 'plain'}`], char.repeat(length)),
  );

const trivial = fc.constantFrom(
  new Uint8Array(0),
  bytes('\r\n'),
  bytes('\r\n\r\n\r\n'),
  bytes('\n'),
  bytes('\r'),
  bytes('From: emma@example.com'),
  bytes('From: emma@example.com\r\nSubject: headers only\r\n'),
  bytes('From: emma@example.com\r\nSubject: headers only\r\n\r\n'),
  bytes('just a body without any header'),
  bytes(':\r\n:\r\n\r\n'),
  bytes(' folded: before any header\r\n\r\nbody'),
  bytes('From emma@example.com Sat Jan  1 00:00:00 2026\r\nFrom: emma@example.com\r\n\r\nmbox line'),
  bytes('\x00\x00\x00\x00'),
  concat(Uint8Array.of(0xef, 0xbb, 0xbf), bytes('From: emma@example.com\r\n\r\nBOM')),
);

const garbage = anyBytes(64 * 1024);

const mutations = fc
  .array(
    fc.record({
      at: fc.nat({ max: aValidMessage.length }),
      remove: fc.nat({ max: 200 }),
      insert: fc.oneof(anyBytes(200), fc.constantFrom(bytes('--alt'), bytes('\r\n\r\n'), bytes('=?'))),
    }),
    { minLength: 1, maxLength: 20 },
  )
  .map((edits) => {
    let out = aValidMessage;
    for (const { at, remove, insert } of edits) {
      const from = Math.min(at, out.length);
      out = concat(out.subarray(0, from), insert, out.subarray(Math.min(out.length, from + remove)));
    }
    return out;
  });

const families = {
  deepNesting,
  shallowNesting,
  giantHeader,
  thousandsOfHeaders,
  brokenBoundaries,
  badCharsets,
  badTransferEncodings,
  controlBytes,
  longLines,
  trivial,
  garbage,
  mutations,
};
const malformedMail = fc.oneof(...Object.values(families));

// ---------------------------------------------------------------- the tests

describe('parseMail and the filters on malformed MIME', () => {
  it('return or refuse with a ValidationError, within the time limit, for every kind of damage', async () => {
    await fc.assert(
      fc.asyncProperty(malformedMail, async (raw) => {
        await throughParser(raw);
      }),
      { numRuns: 400 },
    );
  }, 60_000);

  it('refuse nesting beyond maxNestingDepth, giant headers and thousands of headers past the header cap', async () => {
    await fc.assert(
      fc.asyncProperty(deepNestingCase, async ({ raw, mustRefuse }) => {
        const mail = await throughParser(raw);
        if (mustRefuse) expect(mail).toBeUndefined();
        if (mail) expect(mail.attachments.length).toBeLessThanOrEqual(mailLimits.maxNestingDepth);
      }),
      { numRuns: 30 },
    );
    await fc.assert(
      fc.asyncProperty(giantHeader, async (raw) => {
        await expect(parseMail(raw)).rejects.toThrow(ValidationError);
      }),
      { numRuns: 20 },
    );
    // The parser counts header bytes without line breaks, hence the margin.
    const tooManyHeaders = thousandsOfHeaders.filter((raw) => raw.length > mailLimits.maxHeadersSize * 1.3);
    await fc.assert(
      fc.asyncProperty(tooManyHeaders, async (raw) => {
        await expect(parseMail(raw)).rejects.toMatchObject({
          name: 'ValidationError',
          fields: [{ message: expect.stringMatching(/header size/) }],
        });
      }),
      { numRuns: 10 },
    );
  }, 60_000);

  it('keep a shallow multipart tree and find its text', async () => {
    await fc.assert(
      fc.asyncProperty(shallowNesting, async (raw) => {
        const mail = await throughParser(raw);
        expect(mail?.text).toContain('leaf');
      }),
      { numRuns: 20 },
    );
  });

  it('refuse a message over 40 MB before parsing it, and parse one just under within the limit', async () => {
    const header = bytes('From: emma@example.com\r\nSubject: big\r\n\r\n');
    const over = concat(header, new Uint8Array(mailLimits.maxBytes + 1 - header.length).fill(0x61));
    const started = cpuMs();
    await expect(parseMail(over)).rejects.toThrow(/too large/);
    expect(cpuMs() - started, 'CPU ms to refuse it').toBeLessThan(50);
    const under = over.subarray(0, mailLimits.maxBytes - 1024);
    const outcome = await throughPipeline(under);
    expect(outcome.kind).toBe('ticket');
  }, 30_000);

  it('never lets the SES verdicts or the robot filter throw, whatever strings they get', () => {
    fc.assert(
      fc.property(
        fc.record({ spam: fc.string(), virus: fc.string(), dmarc: fc.string(), dmarcPolicy: fc.string() }),
        (verdicts) => {
          const reason = verdictQuarantineReason(verdicts);
          expect(reason === undefined || reason.length > 0).toBe(true);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('processInboundMail on malformed MIME', () => {
  it('ends every message as a ticket, an article or a quarantine entry, within the time limit', async () => {
    await fc.assert(
      fc.asyncProperty(malformedMail, fc.boolean(), async (raw, toReplyAddress) => {
        const recipients = toReplyAddress
          ? [SUPPORT, `support+${EXISTING_TICKET_ID.toLowerCase()}@spoke.example`]
          : [SUPPORT];
        await throughPipeline(raw, recipients);
      }),
      { numRuns: 300 },
    );
    console.table(Object.fromEntries([...tally].sort().map(([outcome, n]) => [outcome, { messages: n }])));
  }, 60_000);

  it('keeps memory within a generous bound over a batch of malformed messages', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const batch = fc.sample(malformedMail, { numRuns: 100, seed: 20261128 });
    gc();
    const before = process.memoryUsage();
    let peakRss = before.rss;
    for (const raw of batch) {
      await throughPipeline(raw);
      peakRss = Math.max(peakRss, process.memoryUsage().rss);
    }
    gc();
    const after = process.memoryUsage();
    const mb = (n: number) => Math.round(n / 1024 / 1024);
    console.log(
      `mail fuzz memory: heap ${mb(before.heapUsed)} → ${mb(after.heapUsed)} MB, rss peak +${mb(peakRss - before.rss)} MB over ${batch.length} messages`,
    );
    expect(after.heapUsed - before.heapUsed).toBeLessThan(64 * 1024 * 1024);
    expect(peakRss - before.rss).toBeLessThan(1024 * 1024 * 1024);
  }, 60_000);
});

/**
 * Inputs found while writing these tests that broke the time limit or crashed the pipeline.
 * Each is far below the 40 MB SES limit and the 256 KB header cap: the time grows with the
 * square of the size (or, for the parts, linearly with no cap), so a bigger one holds the
 * Lambda until its timeout, and the retries, and then lands in the dead-letter queue.
 */
describe('processInboundMail on pathological inputs found by fuzzing', () => {
  it('quarantines or files an HTML-only message of 70 000 "<" within the time limit', async () => {
    await throughPipeline(message(['From: emma@example.com', 'Content-Type: text/html'], '<'.repeat(70_000)));
  }, 60_000);

  it('files an HTML-only message of 20 000 unclosed "<script" within the time limit', async () => {
    await throughPipeline(
      message(['From: emma@example.com', 'Content-Type: text/html'], '<script'.repeat(20_000)),
    );
  }, 60_000);

  it('refuses or files a message of 200 000 empty MIME parts (1 MB) within the time limit', async () => {
    await throughPipeline(
      message(
        ['From: emma@example.com', 'Content-Type: multipart/mixed; boundary=x'],
        '--x\r\n'.repeat(200_000),
      ),
    );
  }, 60_000);

  it('quarantines a From address of 30 000 dotted labels and a space (60 KB) within the time limit', async () => {
    await throughPipeline(message([`From: <a@${'b.'.repeat(30_000)} c>`, 'Subject: hi']));
  }, 60_000);

  it('ends any From address the parser yields as a ticket or a quarantine entry, never a crash', async () => {
    const local = fc.stringMatching(/^[a-zA-Z0-9!#$%&'*+/=?^_`{|}~.\u00e0-\u00ff-]{1,20}$/);
    const domain = fc.stringMatching(/^[a-z0-9\u00e0-\u00ff-]{1,12}(\.[a-z0-9\u00e0-\u00ff-]{1,8}){1,3}$/);
    await fc.assert(
      fc.asyncProperty(local, domain, async (l, d) => {
        await throughPipeline(
          concat(ENCODER.encode(`From: <${l}@${d}>\r\nSubject: hi\r\nContent-Type: text/plain\r\n\r\nHello`)),
        );
      }),
      { numRuns: 200 },
    );
  }, 60_000);
});
