import { describe, expect, it } from 'vitest';
import {
  applicableDefinitions,
  pausesIn,
  SlaDefinition,
  SlaDefinitionInput,
} from '#core/sla/sla-definition.ts';

const define = (id: string, input: Record<string, unknown>) =>
  SlaDefinition.parse({ id, version: 1, ...SlaDefinitionInput.parse(input) });

const standard = define('standard', {
  name: 'Standard',
  targets: { response: { '1': 30, '2': 60, '3': 240 } },
});
const vip = define('vip', {
  name: 'VIP',
  conditions: { requesterGroups: ['vip'], recordTypes: ['incident'] },
  targets: { response: { '1': 15, '2': 30, '3': 60 } },
});
const network = define('network-ola', {
  name: 'Network OLA',
  kind: 'ola',
  conditions: { assignmentGroups: ['network'] },
  targets: { resolution: { '3': 480 } },
});
const retired = define('old', { name: 'Old', active: false, targets: { response: { '3': 1 } } });
const all = [standard, vip, network, retired];

describe('which service levels apply', () => {
  it('takes the most specific matching SLA and the matching OLA', () => {
    const vipIncident = applicableDefinitions(all, {
      recordType: 'incident',
      priority: 3,
      requesterGroups: ['vip'],
      assignmentGroup: 'network',
    });
    expect(vipIncident.map((d) => d.id).sort()).toEqual(['network-ola', 'vip']);
    const plainRequest = applicableDefinitions(all, {
      recordType: 'request',
      priority: 3,
      requesterGroups: ['vip'],
    });
    expect(plainRequest.map((d) => d.id)).toEqual(['standard']);
  });

  it('never applies an inactive definition, and pauses only in the configured states', () => {
    expect(applicableDefinitions([retired], { recordType: 'incident', priority: 3 })).toEqual([]);
    expect(pausesIn(standard, 'on_hold', 'awaiting_caller')).toBe(true);
    expect(pausesIn(standard, 'on_hold', 'awaiting_change')).toBe(false);
    expect(pausesIn(standard, 'in_progress')).toBe(false);
  });

  it('refuses a definition without targets or with an impossible one, naming the field', () => {
    const noTargets = SlaDefinitionInput.safeParse({ name: 'x', targets: {} });
    expect(noTargets.error?.issues.map((i) => i.path.join('.'))).toEqual(['targets']);
    const negative = SlaDefinitionInput.safeParse({ name: 'x', targets: { response: { '1': -5 } } });
    expect(negative.error?.issues.map((i) => i.path.join('.'))).toEqual(['targets.response.1']);
  });
});
