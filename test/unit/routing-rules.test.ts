import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  decideRouting,
  type RoutingConfig,
  type RoutingRule,
  ruleMatches,
  SaveRoutingInput,
} from '#core/routing/routing-rules.ts';
import { Channel } from '#core/ticket/ticket.ts';
import type { RoutingInput } from '#ports/routing-policy.ts';

const ticket = (overrides: Partial<RoutingInput> = {}): RoutingInput => ({
  shortDescription: 'Something is wrong',
  description: '',
  requesterEmail: 'emma@example.com',
  channel: 'portal',
  ...overrides,
});

const rule = (id: string, group: string, conditions: RoutingRule['conditions'] = {}): RoutingRule => ({
  id,
  name: id,
  conditions,
  actions: { group },
});

const config = (rules: RoutingRule[], defaultGroup?: string): RoutingConfig => ({
  rules,
  ...(defaultGroup ? { defaultGroup } : {}),
  version: 1,
});

describe('deciding the group of a new ticket', () => {
  it('takes the first matching rule, not a later one, and reports it', () => {
    const rules = [
      rule('printers', 'field-services', { keywords: ['printer'] }),
      rule('network-words', 'network', { keywords: ['printer', 'vpn'] }),
    ];

    const decision = decideRouting(
      config(rules, 'service-desk'),
      ticket({ shortDescription: 'Printer jam' }),
    );

    expect(decision).toEqual({ group: 'field-services', ruleId: 'printers' });
  });

  it('sets impact and urgency when the rule says so', () => {
    const rules: RoutingRule[] = [
      {
        ...rule('outage', 'network', { keywords: ['outage'] }),
        actions: { group: 'network', impact: 1, urgency: 1 },
      },
    ];

    expect(decideRouting(config(rules), ticket({ description: 'Site-wide outage since 9' }))).toEqual({
      group: 'network',
      impact: 1,
      urgency: 1,
      ruleId: 'outage',
    });
  });

  it('needs every condition given (AND) and any value within one (OR)', () => {
    const vpnByMail = rule('vpn-mail', 'network', {
      keywords: ['vpn', 'tunnel'],
      channels: ['email', 'api'],
      categories: ['Network', 'Remote access'],
    });

    expect(
      ruleMatches(
        vpnByMail,
        ticket({ shortDescription: 'Tunnel drops', channel: 'api', category: 'network' }),
      ),
    ).toBe(true);
    expect(
      ruleMatches(
        vpnByMail,
        ticket({ shortDescription: 'VPN drops', channel: 'email', category: 'Remote Access' }),
      ),
    ).toBe(true);
    expect(
      ruleMatches(
        vpnByMail,
        ticket({ shortDescription: 'VPN drops', channel: 'portal', category: 'Network' }),
      ),
    ).toBe(false);
    expect(ruleMatches(vpnByMail, ticket({ shortDescription: 'VPN drops', channel: 'email' }))).toBe(false);
    expect(
      ruleMatches(
        vpnByMail,
        ticket({ shortDescription: 'Mail drops', channel: 'email', category: 'Network' }),
      ),
    ).toBe(false);
  });

  it('matches keywords as whole words or phrases, in any case, in short description or description', () => {
    const vpn = rule('vpn', 'network', { keywords: ['VPN', 'password reset'] });

    expect(ruleMatches(vpn, ticket({ shortDescription: 'my vpn is slow' }))).toBe(true);
    expect(ruleMatches(vpn, ticket({ description: 'Since yesterday:\n(VPN) fails.' }))).toBe(true);
    expect(ruleMatches(vpn, ticket({ description: 'Need a PASSWORD   Reset please' }))).toBe(true);
    expect(ruleMatches(vpn, ticket({ shortDescription: 'vpnclient crashed' }))).toBe(false);
    expect(ruleMatches(vpn, ticket({ shortDescription: 'openvpn crashed' }))).toBe(false);
    expect(ruleMatches(vpn, ticket({ shortDescription: 'password resetting' }))).toBe(false);
  });

  it('treats letters of any script as part of a word and regex characters as plain text', () => {
    const rules = rule('words', 'dev', { keywords: ['drucker', 'c++', 'a.b'] });

    expect(ruleMatches(rules, ticket({ shortDescription: 'Der Drucker streikt' }))).toBe(true);
    expect(ruleMatches(rules, ticket({ shortDescription: 'Druckerpatrone leer' }))).toBe(false);
    expect(ruleMatches(rules, ticket({ shortDescription: 'Büro-Drucker' }))).toBe(true);
    expect(ruleMatches(rules, ticket({ shortDescription: 'C++ build fails' }))).toBe(true);
    expect(ruleMatches(rules, ticket({ shortDescription: 'axb is down' }))).toBe(false);
  });

  it('matches the requester’s domain and its subdomains, case-insensitively, and nothing that merely ends alike', () => {
    const acme = rule('acme', 'acme-desk', { requesterDomains: ['acme.com'] });

    expect(ruleMatches(acme, ticket({ requesterEmail: 'bob@ACME.com' }))).toBe(true);
    expect(ruleMatches(acme, ticket({ requesterEmail: 'bob@de.acme.com' }))).toBe(true);
    expect(ruleMatches(acme, ticket({ requesterEmail: 'bob@notacme.com' }))).toBe(false);
    expect(ruleMatches(acme, ticket({ requesterEmail: 'acme.com@example.com' }))).toBe(false);
  });

  it('compares category and service case-insensitively and never matches a ticket without them', () => {
    const mail = rule('mail', 'messaging', { services: ['Exchange Online'] });

    expect(ruleMatches(mail, ticket({ service: 'exchange online' }))).toBe(true);
    expect(ruleMatches(mail, ticket({ service: 'Teams' }))).toBe(false);
    expect(ruleMatches(mail, ticket())).toBe(false);
  });

  it('falls back to the default group, without a rule id', () => {
    const rules = [rule('vpn', 'network', { keywords: ['vpn'] })];

    expect(decideRouting(config(rules, 'service-desk'), ticket())).toEqual({ group: 'service-desk' });
  });

  it('decides nothing when no rule matches and there is no default group', () => {
    expect(decideRouting(config([rule('vpn', 'network', { keywords: ['vpn'] })]), ticket())).toEqual({});
    expect(decideRouting(config([]), ticket())).toEqual({});
  });

  it('lets a rule without conditions match every ticket', () => {
    expect(decideRouting(config([rule('all', 'everyone')], 'service-desk'), ticket())).toEqual({
      group: 'everyone',
      ruleId: 'all',
    });
  });
});

describe('the decision, for any rules and any ticket', () => {
  const word = fc.constantFrom('vpn', 'printer', 'outage', 'laptop', 'mail');
  const domain = fc.constantFrom('example.com', 'acme.com', 'de.acme.com');
  const category = fc.constantFrom('Network', 'Hardware', 'Access');
  const groupId = fc.constantFrom('service-desk', 'network', 'field-services', 'messaging');
  const conditions = fc.record(
    {
      categories: fc.array(category, { minLength: 1, maxLength: 2 }),
      services: fc.array(category, { minLength: 1, maxLength: 2 }),
      keywords: fc.array(word, { minLength: 1, maxLength: 3 }),
      requesterDomains: fc.array(domain, { minLength: 1, maxLength: 2 }),
      channels: fc.array(fc.constantFrom(...Channel.options), { minLength: 1, maxLength: 2 }),
    },
    { requiredKeys: [] },
  );
  const rules = fc
    .array(fc.record({ conditions, group: groupId }), { maxLength: 8 })
    .map((list) => list.map((r, i) => rule(`r${i}`, r.group, r.conditions)));
  const input = fc.record({
    shortDescription: fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(' ')),
    description: fc.array(fc.oneof(word, fc.string()), { maxLength: 4 }).map((w) => w.join(' ')),
    requesterEmail: domain.map((d) => `someone@${d}`),
    channel: fc.constantFrom(...Channel.options),
    category: fc.option(category, { nil: undefined }),
    service: fc.option(category, { nil: undefined }),
  });

  it('is the first matching rule’s group, else the default group, else none', () => {
    fc.assert(
      fc.property(rules, fc.option(groupId, { nil: undefined }), input, (list, fallback, raw) => {
        const routed: RoutingInput = Object.fromEntries(
          Object.entries(raw).filter(([, v]) => v !== undefined),
        ) as unknown as RoutingInput;

        const decision = decideRouting(config(list, fallback), routed);

        const first = list.find((r) => ruleMatches(r, routed));
        if (first) expect(decision).toEqual({ group: first.actions.group, ruleId: first.id });
        else expect(decision).toEqual(fallback ? { group: fallback } : {});
      }),
    );
  });

  it('never changes when rules after the deciding one are added', () => {
    fc.assert(
      fc.property(rules, rules, input, (list, more, routed) => {
        const before = decideRouting(config(list), routed);
        fc.pre(before.ruleId !== undefined);
        const extended = [...list, ...more.map((r) => ({ ...r, id: `x${r.id}` }))];

        expect(decideRouting(config(extended), routed)).toEqual(before);
      }),
    );
  });
});

describe('saving routing: input', () => {
  it('refuses duplicate rule ids, empty conditions, unknown fields and malformed domains', () => {
    const result = SaveRoutingInput.safeParse({
      version: 0,
      rules: [
        rule('a', 'network', { keywords: ['vpn'] }),
        { ...rule('a', 'network'), conditions: { keywords: [] } },
        { ...rule('b', 'network'), conditions: { requesterDomains: ['not a domain'] } },
        { ...rule('c', 'network'), priority: 1 },
      ],
    });

    expect(result.success).toBe(false);
    const paths = result.error?.issues.map((i) => i.path.join('.') || i.code).sort();
    expect(paths).toEqual([
      'rules.1.conditions.keywords',
      'rules.1.id',
      'rules.2.conditions.requesterDomains.0',
      'rules.3',
    ]);
  });

  it('refuses categories and services that no form offers, naming the rule and the field', () => {
    const result = SaveRoutingInput.safeParse({
      version: 0,
      rules: [
        rule('ok', 'network', { categories: ['network'], services: ['VPN'] }),
        rule('typo', 'network', { categories: ['Netwrok'] }),
        rule('cmdb', 'messaging', { services: ['Exchange Online'] }),
      ],
    });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => [i.path.join('.'), i.message.split(' (')[0]])).toEqual([
      ['rules.1.conditions.categories', 'Netwrok is not one the forms offer'],
      ['rules.2.conditions.services', 'Exchange Online is not one the forms offer'],
    ]);
  });

  it('lower-cases domains and keeps rules in the order given', () => {
    const parsed = SaveRoutingInput.parse({
      version: 3,
      defaultGroup: 'service-desk',
      rules: [rule('z', 'network', { requesterDomains: [' ACME.com '] }), rule('a', 'messaging')],
    });

    expect(parsed.rules.map((r) => r.id)).toEqual(['z', 'a']);
    expect(parsed.rules[0]?.conditions.requesterDomains).toEqual(['acme.com']);
  });
});

describe('saving routing: size', () => {
  it('refuses rules that would not fit in one stored record', () => {
    const keywords = Array.from({ length: 50 }, (_, i) => `${'k'.repeat(60)}${i}`);
    const rules = Array.from({ length: 120 }, (_, i) => rule(`r${i}`, 'network', { keywords }));

    const result = SaveRoutingInput.safeParse({ version: 0, rules });

    expect(result.success).toBe(false);
    expect(result.error?.issues.map((i) => i.path.join('.'))).toEqual(['rules']);
  });
});
