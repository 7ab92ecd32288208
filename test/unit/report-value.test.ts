import { describe, expect, it } from 'vitest';
import { monthlyReportMail, previousMonth } from '#core/reporting/monthly-report.ts';
import { buildReport, type ReportDeps } from '#core/reporting/report-service.ts';

/** Business value and the monthly mail, from counters handed in as the store would read them. */
const counters = {
  opened: 40,
  kbDeflected: 12,
  csatCount: 4,
  csatSum: 17,
  csatSatisfied: 3,
  'svc:<script>alert(1)</script>': 2,
};
const deps = (value?: ReportDeps['value']): ReportDeps => ({
  reports: {
    facts: async () => undefined,
    apply: async () => 'counted',
    read: async () => [{ slot: '2026-11-10', counters }],
  },
  groups: { groupsOf: async () => [], listGroups: async () => ({ items: [] }) },
  timeZone: 'UTC',
  clock: { now: () => new Date('2026-12-02T08:00:00Z') },
  ...(value ? { value } : {}),
});
const admin = { id: 'a', email: 'ada@example.com', groups: ['admins'] };
const november = { from: '2026-11-01', to: '2026-11-30', granularity: 'month' } as const;

describe('business value', () => {
  it('counts hours saved by self-service and the cost per ticket from the configured assumptions', async () => {
    const report = await buildReport(
      deps({ deflectionHandlingMinutes: 15, monthlyCostUsd: 500 }),
      admin,
      november,
    );
    // 12 answered by an article × 15 min = 3 h; $500 × (30 / 30.4375 months) / 40 tickets = $12.32.
    expect(report.businessValue).toEqual({
      hoursSavedBySelfService: 3,
      costPerTicketUsd: 12.32,
      assumptions: { deflectionHandlingMinutes: 15, monthlyCostUsd: 500 },
    });
    expect(report.total.knowledge.deflectionRate).toBe(0.2308); // 12 / (12 + 40)
    expect(report.total.satisfaction).toEqual({ responses: 4, meanScore: 4.25, satisfiedShare: 0.75 });
  });

  it('shows no cost per ticket without a monthly cost (the default)', async () => {
    const report = await buildReport(deps(), admin, november);
    expect(report.businessValue.costPerTicketUsd).toBeNull();
    expect(report.businessValue.hoursSavedBySelfService).toBe(4); // 12 × 20 min
  });
});

describe('the monthly report mail', () => {
  it('covers the local month before, across a year’s end', () => {
    expect(previousMonth(new Date('2027-01-01T00:30:00Z'), 'Europe/Berlin')).toEqual({
      from: '2026-12-01',
      to: '2026-12-31',
      month: '2026-12',
    });
    expect(previousMonth(new Date('2026-12-31T23:30:00Z'), 'UTC').month).toBe('2026-11');
  });

  it('escapes every value in its HTML (a service name is anybody’s text)', async () => {
    const report = await buildReport(deps(), admin, november);
    const mail = monthlyReportMail(report, '2026-11', 'https://help.example.com');
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;: 2');
    expect(mail.text).toContain('Tickets opened: 40');
    expect(mail.text).toContain('Agent hours saved by self-service: 4 h');
  });
});
