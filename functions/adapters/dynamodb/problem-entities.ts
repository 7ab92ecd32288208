import { Problem, ProblemAuditEntry } from '#core/problem/problem.ts';
import { AUDIT_SK, auditN, NO_GROUP } from './entities.ts';
import { defineEntity } from './entity.ts';

/** The problem entities (see `entities.ts` for the conventions and `entity-list.ts` for the list). */
// ——— problems ———

export const problemEntity = /* @__PURE__ */ defineEntity({
  name: 'problem',
  version: 1,
  table: 'domain',
  schema: Problem,
  indexes: {
    primary: { pk: 'PROBLEM#{id}', sk: '#PROBLEM' },
    gsi2: { pk: 'PROBLEMS#{state}', sk: '{updatedAt}#{id}' },
    gsi3: { pk: 'PROBLEM_QUEUE#{group}#{state}', sk: '{updatedAt}#{id}' },
    gsi4: { pk: 'NUMBER#{number}', sk: 'problem' },
  },
  facets: (problem) => ({
    id: problem.id,
    updatedAt: problem.updatedAt,
    state: problem.state,
    group: problem.assignmentGroup ?? NO_GROUP,
    number: problem.number,
  }),
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
