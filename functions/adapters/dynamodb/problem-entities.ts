import * as z from 'zod';
import {
  isKnownError,
  Problem,
  ProblemArticle,
  ProblemAuditEntry,
  ProblemSuggestion,
} from '#core/problem/problem.ts';
import { AUDIT_SK, auditN, NO_GROUP } from './entities.ts';
import { defineEntity } from './entity.ts';

/** The problem entities (see `entities.ts` for the conventions and `entity-list.ts` for the list). */
// ——— problems (Problem management: declared by the problem module, kept in this one block) ———

export const problemEntity = /* @__PURE__ */ defineEntity({
  name: 'problem',
  version: 1,
  table: 'domain',
  schema: Problem,
  indexes: {
    primary: { pk: 'PROBLEM#{id}', sk: '#PROBLEM' },
    // Sparse: only known errors (a published workaround on an open problem).
    gsi1: { pk: 'KNOWN_ERRORS', sk: '{knownErrorAt}#{id}' },
    gsi2: { pk: 'PROBLEMS#{state}', sk: '{updatedAt}#{id}' },
    gsi3: { pk: 'PROBLEM_GROUP#{group}', sk: '{updatedAt}#{id}' },
    gsi4: { pk: 'NUMBER#{number}', sk: 'problem' },
  },
  facets: (problem) => ({
    id: problem.id,
    updatedAt: problem.updatedAt,
    state: problem.state,
    group: problem.assignmentGroup ?? NO_GROUP,
    number: problem.number,
    knownErrorAt: isKnownError(problem) ? problem.updatedAt : undefined,
  }),
});

export const problemArticleEntity = /* @__PURE__ */ defineEntity({
  name: 'problem-article',
  version: 1,
  table: 'domain',
  schema: ProblemArticle,
  indexes: { primary: { pk: 'PROBLEM#{problemId}', sk: 'ARTICLE#{createdAt}#{id}' } },
  facets: (a) => ({ problemId: a.problemId, createdAt: a.createdAt, id: a.id }),
});

export const problemAuditEntity = /* @__PURE__ */ defineEntity({
  name: 'problem-audit',
  version: 1,
  table: 'domain',
  schema: ProblemAuditEntry,
  indexes: { primary: { pk: 'PROBLEM#{problemId}', sk: AUDIT_SK } },
  facets: (entry, context: { readonly n: string }) => ({
    problemId: entry.problemId,
    at: entry.at,
    n: context.n,
  }),
  contextOf: auditN,
});

/** Incidents opened on one service or category on one day (UTC), counted once per event. */
export const incidentHitsEntity = /* @__PURE__ */ defineEntity({
  name: 'incident-hits',
  version: 1,
  table: 'domain',
  schema: z.object({ hits: z.number().int().min(0) }),
  indexes: { primary: { pk: 'INCIDENT_HITS#{dimension}#{value}', sk: '{day}' } },
  facets: (_, context: { readonly dimension: string; readonly value: string; readonly day: string }) => ({
    ...context,
    value: context.value.toLowerCase(),
  }),
  contextOf: (item) => {
    const [, dimension = '', ...value] = String(item.pk).split('#');
    return { dimension, value: value.join('#'), day: String(item.sk) };
  },
});

/** A suggestion to open a problem, one per service or category while its window lasts. */
export const problemSuggestionEntity = /* @__PURE__ */ defineEntity({
  name: 'problem-suggestion',
  version: 1,
  table: 'domain',
  schema: ProblemSuggestion,
  indexes: {
    primary: { pk: 'PROBLEM_SUGGESTION#{dimension}#{value}', sk: '#SUGGESTION' },
    gsi1: { pk: 'PROBLEM_SUGGESTIONS', sk: '{suggestedAt}#{dimension}#{value}' },
  },
  facets: (s) => ({
    dimension: s.dimension,
    value: s.value.toLowerCase(),
    suggestedAt: s.suggestedAt,
  }),
});
