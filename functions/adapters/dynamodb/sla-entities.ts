import { StoredCalendar } from '#core/sla/sla-admin.ts';
import { SlaDefinition } from '#core/sla/sla-definition.ts';
import { SlaRecord } from '#core/sla/sla-record.ts';
import { defineEntity } from './entity.ts';

/** The service-level entities (see `entities.ts` for the conventions and `entity-list.ts` for the list). */

const padded = (version: number) => String(version).padStart(6, '0');

/** The current version of a definition; the list of definitions is its gsi1 partition. */
export const slaDefinitionEntity = /* @__PURE__ */ defineEntity({
  name: 'sla-definition',
  version: 1,
  table: 'domain',
  schema: SlaDefinition,
  indexes: {
    primary: { pk: 'SLADEF#{id}', sk: '#CURRENT' },
    gsi1: { pk: 'SLA_DEFINITIONS', sk: '{id}' },
  },
  facets: (definition) => ({ id: definition.id }),
});

/** Every version a definition had, kept: a record names the version its clocks started under. */
export const slaDefinitionVersionEntity = /* @__PURE__ */ defineEntity({
  name: 'sla-definition-version',
  version: 1,
  table: 'domain',
  schema: SlaDefinition,
  indexes: { primary: { pk: 'SLADEF#{id}', sk: 'VERSION#{version}' } },
  facets: (definition) => ({ id: definition.id, version: padded(definition.version) }),
});

export const slaCalendarEntity = /* @__PURE__ */ defineEntity({
  name: 'sla-calendar',
  version: 1,
  table: 'domain',
  schema: StoredCalendar,
  indexes: {
    primary: { pk: 'SLACAL#{id}', sk: '#CALENDAR' },
    gsi1: { pk: 'SLA_CALENDARS', sk: '{id}' },
  },
  facets: (calendar) => ({ id: calendar.id }),
});

/**
 * The SLA state of one record of any type, beside the record (not inside it, so the SLA
 * engine never bumps the record's version). While a clock runs, the record sits in its group's
 * due queue (gsi3 `SLA_DUE#<group>`, sorted by due time).
 */
export const slaRecordEntity = /* @__PURE__ */ defineEntity({
  name: 'sla-record',
  version: 1,
  table: 'domain',
  schema: SlaRecord,
  indexes: {
    primary: { pk: 'SLA#{recordId}', sk: '#SLA' },
    gsi3: { pk: 'SLA_DUE#{group}', sk: '{dueAt}#{recordId}' },
  },
  facets: (record) => ({
    recordId: record.recordId,
    group: record.dueAt ? (record.assignmentGroup ?? '-') : undefined,
    dueAt: record.dueAt,
  }),
});
