import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { type CostData, type Estimate, estimateMonthlyCost } from './cost-model.ts';

const usage = `npm run cost -- [--employees 2000] [--tickets 10000] [--agents 50] [--json]

Estimates Spoke's monthly AWS bill at list prices for a company of --employees people who open
--tickets tickets a month, worked by --agents agents. The requests per ticket were measured by
npm run cost:measure; prices, free tiers and assumptions are in functions/ops/cost-data.json
and explained in docs/cost.md.`;

export const costDataPath = new URL('./cost-data.json', import.meta.url);

export function loadCostData(): CostData {
  return JSON.parse(readFileSync(costDataPath, 'utf8')) as CostData;
}

const usd = (value: number) => (value < 0.01 && value > 0 ? '<$0.01' : `$${value.toFixed(2)}`);
const quantity = (value: number) =>
  value >= 1000 ? Math.round(value).toLocaleString('en-US') : Number(value.toFixed(2)).toString();

/** The estimate as a table, with the measurement and price dates it rests on. */
export function formatEstimate(estimate: Estimate, data: CostData): string {
  const { employees, ticketsPerMonth, agents } = estimate.volumes;
  const rows = estimate.items.map((item) => [
    item.service,
    item.what,
    `${quantity(item.quantity)} ${item.unit}`,
    usd(item.listUsd),
    usd(item.usd),
  ]);
  const header = ['service', 'what', 'a month', 'list price', 'after free tier'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i >= 2 ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0))).join('  ');
  return [
    `Spoke on AWS, ${data.prices.region}: ${employees.toLocaleString('en-US')} employees, ${ticketsPerMonth.toLocaleString('en-US')} tickets a month, ${agents} agents`,
    '',
    line(header),
    ...rows.map(line),
    '',
    line(['total', '', '', usd(estimate.listUsd), usd(estimate.usd)]),
    '',
    `Prices: ${data.prices.source}`,
    `Requests per ticket: measured ${data.measured.at} (${data.measured.how}).`,
  ].join('\n');
}

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      employees: { type: 'string', default: '2000' },
      tickets: { type: 'string', default: '10000' },
      agents: { type: 'string', default: '50' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(usage);
    process.exit(0);
  }
  const volumes = {
    employees: Number(values.employees),
    ticketsPerMonth: Number(values.tickets),
    agents: Number(values.agents),
  };
  for (const [name, value] of Object.entries(volumes)) {
    if (!Number.isFinite(value) || value < 0) {
      console.error(`--${name === 'ticketsPerMonth' ? 'tickets' : name} must be a number ≥ 0\n\n${usage}`);
      process.exit(2);
    }
  }
  const data = loadCostData();
  const estimate = estimateMonthlyCost(data, volumes);
  console.log(values.json ? JSON.stringify(estimate, null, 2) : formatEstimate(estimate, data));
}
