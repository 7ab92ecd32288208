import * as z from 'zod';
import type { RoutingDecision, RoutingInput } from '#ports/routing-policy.ts';
import { GroupId } from '../group/group.ts';
import { Level } from '../ticket/priority.ts';
import { Channel, Label } from '../ticket/ticket.ts';
import { isKnownCategory, isKnownService, ticketCategories, ticketServices } from './classification.ts';

/**
 * Routing: which assignment group a new ticket goes to, decided by an ordered list of rules
 * that admins maintain. The first rule whose conditions all hold wins; when none does, the
 * default group takes the ticket; without a default group the ticket stays unassigned.
 */

/** A word or phrase looked for in the short description and description. */
const Keyword = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^\p{C}]+$/u, 'may not hold control characters');

/** A mail domain; a rule for `example.com` also matches its subdomains (`de.example.com`). */
const Domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(
    /^(?:[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?\.)+[\p{L}\p{N}-]{2,63}$/u,
    'must be a domain such as example.com',
  );

/** Each list is "any of"; an empty list would never match, so a condition is left out instead. */
const anyOf = <T extends z.ZodType>(item: T) => z.array(item).min(1).max(50).optional();

export const RoutingConditions = z.strictObject({
  /** Compared case-insensitively with the ticket's category. */
  categories: anyOf(Label),
  /** Compared case-insensitively with the ticket's service. */
  services: anyOf(Label),
  /** Whole words or phrases, case-insensitive, in the short description or the description. */
  keywords: anyOf(Keyword),
  requesterDomains: anyOf(Domain),
  channels: z.array(Channel).min(1).max(4).optional(),
});
export type RoutingConditions = z.infer<typeof RoutingConditions>;

export const RoutingActions = z.strictObject({
  group: GroupId,
  /** Set together with `urgency` or alone; the priority follows from both. */
  impact: Level.optional(),
  urgency: Level.optional(),
});
export type RoutingActions = z.infer<typeof RoutingActions>;

/**
 * One rule. Every condition given must hold (AND), any value within a condition may (OR);
 * a rule without conditions matches every ticket.
 */
export const RoutingRule = z.strictObject({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9][\w-]*$/, 'letters, digits, _ and - only'),
  name: z.string().trim().min(1, 'is required').max(100),
  conditions: RoutingConditions.default({}),
  actions: RoutingActions,
});
export type RoutingRule = z.infer<typeof RoutingRule>;

/** Most rules a configuration holds; a decision is a walk down the list for every new ticket. */
export const MAX_ROUTING_RULES = 200;

/** The configuration is one DynamoDB item (400 KB at most), so the rules must fit well inside it. */
export const MAX_ROUTING_RULES_BYTES = 300_000;

const RoutingRules = z
  .array(RoutingRule)
  .max(MAX_ROUTING_RULES)
  .superRefine((rules, ctx) => {
    const seen = new Set<string>();
    rules.forEach((rule, i) => {
      if (seen.has(rule.id))
        ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicates the id of an earlier rule` });
      seen.add(rule.id);
    });
    const bytes = new TextEncoder().encode(JSON.stringify(rules)).length;
    if (bytes > MAX_ROUTING_RULES_BYTES)
      ctx.addIssue({
        code: 'custom',
        path: [],
        message: `take ${bytes} bytes, more than ${MAX_ROUTING_RULES_BYTES}`,
      });
  });

/**
 * The routing configuration: one record, replaced as a whole. `version` 0 means nothing has
 * been saved yet; every save moves it up by one.
 */
export const RoutingConfig = z.object({
  rules: RoutingRules,
  defaultGroup: GroupId.optional(),
  version: z.number().int().min(0),
  /** Absent until the first save. */
  updatedAt: z.iso.datetime().optional(),
  updatedBy: z.email().max(254).optional(),
});
export type RoutingConfig = z.infer<typeof RoutingConfig>;

/** What a deployment routes by before an admin saves anything: no rules, no default group. */
export const emptyRoutingConfig: RoutingConfig = { rules: [], version: 0 };

/**
 * What an admin saves: the whole ordered rule list and the default group, with the `version`
 * it was edited from (0 for the first save). A stale version is a conflict.
 */
export const SaveRoutingInput = z
  .strictObject({
    rules: RoutingRules,
    defaultGroup: GroupId.optional(),
    version: z.number().int().min(0),
  })
  .superRefine((input, ctx) => {
    input.rules.forEach((rule, index) => {
      for (const [field, known, list] of [
        ['categories', isKnownCategory, ticketCategories],
        ['services', isKnownService, ticketServices],
      ] as const) {
        for (const value of rule.conditions[field] ?? []) {
          if (known(value)) continue;
          ctx.addIssue({
            code: 'custom',
            path: ['rules', index, 'conditions', field],
            message: `${value} is not one the forms offer (${list.join(', ')})`,
          });
        }
      }
    });
  });
export type SaveRoutingInput = z.input<typeof SaveRoutingInput>;

/** First matching rule wins; else the default group; else no group at all. */
export function decideRouting(
  config: Pick<RoutingConfig, 'rules' | 'defaultGroup'>,
  input: RoutingInput,
): RoutingDecision {
  const text = searchText(input);
  for (const rule of config.rules) {
    if (!matches(rule, input, text)) continue;
    const { group, impact, urgency } = rule.actions;
    return {
      group,
      ...(impact === undefined ? {} : { impact }),
      ...(urgency === undefined ? {} : { urgency }),
      ruleId: rule.id,
    };
  }
  return config.defaultGroup ? { group: config.defaultGroup } : {};
}

export const ruleMatches = (rule: RoutingRule, input: RoutingInput): boolean =>
  matches(rule, input, searchText(input));

function matches(rule: RoutingRule, input: RoutingInput, text: string): boolean {
  const { categories, services, keywords, requesterDomains, channels } = rule.conditions;
  if (categories && !sameLabel(categories, input.category)) return false;
  if (services && !sameLabel(services, input.service)) return false;
  if (channels && !channels.includes(input.channel)) return false;
  if (requesterDomains && !inDomains(requesterDomains, input.requesterEmail)) return false;
  if (keywords && !keywords.some((k) => keywordPattern(k).test(text))) return false;
  return true;
}

const fold = (label: string): string => label.trim().normalize('NFC').toLowerCase();

function sameLabel(values: readonly string[], actual: string | undefined): boolean {
  if (actual === undefined) return false;
  const wanted = fold(actual);
  return values.some((v) => fold(v) === wanted);
}

function inDomains(domains: readonly string[], email: string): boolean {
  const domain = email
    .slice(email.lastIndexOf('@') + 1)
    .trim()
    .toLowerCase();
  return domains.some((d) => {
    const wanted = d.toLowerCase();
    return domain === wanted || domain.endsWith(`.${wanted}`);
  });
}

const searchText = (input: RoutingInput): string =>
  `${input.shortDescription}\n${input.description}`.normalize('NFC');

/**
 * Keywords become regular expressions once and are kept for the life of the process: the
 * same rules are evaluated for every new ticket. A word boundary is any character that is
 * not a letter or digit, in any script; spaces inside a phrase match any run of white space.
 */
const patterns = new Map<string, RegExp>();
const MAX_PATTERNS = 10_000;
function keywordPattern(keyword: string): RegExp {
  let pattern = patterns.get(keyword);
  if (!pattern) {
    const body = keyword
      .trim()
      .normalize('NFC')
      .split(/\s+/)
      .map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
      .join('\\s+');
    pattern = new RegExp(`(?<![\\p{L}\\p{N}_])${body}(?![\\p{L}\\p{N}_])`, 'iu');
    if (patterns.size >= MAX_PATTERNS) patterns.clear();
    patterns.set(keyword, pattern);
  }
  return pattern;
}
