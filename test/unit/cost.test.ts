import { describe, expect, it } from 'vitest';
import { formatEstimate, loadCostData } from '#ops/cost.ts';
import {
  type CostData,
  estimateMonthlyCost,
  indexedRecords,
  monthlyUsage,
  searchItems,
  type Usage,
} from '#ops/cost-model.ts';

const none: Usage = {
  apiRequests: 0,
  lambdaInvocations: 0,
  lambdaMs: 0,
  dynamodbReadUnits: 0,
  dynamodbWriteUnits: 0,
  dynamodbRequests: {},
  sesSent: 0,
  sesReceived: 0,
  s3Puts: 0,
  s3Gets: 0,
  events: 0,
};

/** Round prices and counts, so every expected figure below is worked out by hand. */
function data(overrides: Partial<CostData['measured']> = {}): CostData {
  const real = loadCostData();
  const zeroPrices = Object.fromEntries(
    Object.entries(real.prices).map(([key, value]) => [key, typeof value === 'number' ? 0 : value]),
  ) as unknown as CostData['prices'];
  const zeroFree = Object.fromEntries(
    Object.keys(real.freeTier).map((key) => [key, 0]),
  ) as unknown as CostData['freeTier'];
  return {
    search: real.search,
    prices: {
      ...zeroPrices,
      lambdaPerMillionRequests: 0.2,
      lambdaArmPerGbSecond: 0.00001,
      dynamodbPerMillionWriteUnits: 1,
      dynamodbPerMillionReadUnits: 0.25,
      httpApiPerMillionRequests: 1,
      sesPerThousandSent: 0.1,
    },
    freeTier: { ...zeroFree, lambdaRequests: 1000 },
    assumptions: {
      ...real.assumptions,
      workdaysPerMonth: 20,
      agentQueuePagesPerWorkday: 10,
      employeePortalPagesPerMonth: 1,
      employeeMonthlyActiveShare: 0,
      changesPerTicket: 0,
      lambdaMemoryMb: 2048,
      lambdaMinMsPerInvocation: 1,
      housekeepingRunsPerMonth: 0,
      monthsOfData: 0,
      attachmentKbPerTicket: 0,
      alarms: 0,
      dashboards: 0,
      customMetrics: 0,
      kmsKeys: 0,
      logKbPerInvocation: 0,
    },
    measured: {
      at: 'test',
      how: 'by hand',
      lifecycle: {
        ...none,
        apiRequests: 7,
        lambdaInvocations: 10,
        lambdaMs: 1000,
        dynamodbWriteUnits: 100,
        dynamodbReadUnits: 20,
        dynamodbRequests: { TransactWriteItems: 5 },
        sesSent: 4,
      },
      agentQueuePage: { ...none, apiRequests: 1, lambdaInvocations: 1, lambdaMs: 100, dynamodbReadUnits: 2 },
      employeeTicketsPage: {
        ...none,
        apiRequests: 1,
        lambdaInvocations: 1,
        lambdaMs: 100,
        dynamodbReadUnits: 2,
      },
      housekeepingRun: none,
      ...overrides,
    },
  };
}

const volumes = { employees: 1000, ticketsPerMonth: 2000, agents: 5 };
const line = (estimate: ReturnType<typeof estimateMonthlyCost>, service: string, what: string) =>
  estimate.items.find((item) => item.service === service && item.what.startsWith(what));

describe('cost model', () => {
  it('adds tickets, agents’ queue pages and employees’ pages into monthly requests', () => {
    const usage = monthlyUsage(data(), volumes);

    // 2,000 tickets × 7 + 5 agents × 10 pages × 20 days + 1,000 employees × 1 page
    expect(usage.apiRequests).toBe(14_000 + 1_000 + 1_000);
    expect(usage.lambdaInvocations).toBe(20_000 + 1_000 + 1_000);
    expect(usage.dynamodbWriteUnits).toBe(200_000);
    expect(usage.dynamodbReadUnits).toBe(40_000 + 2_000 + 2_000);
    expect(usage.dynamodbRequests).toEqual({ TransactWriteItems: 10_000 });
    expect(usage.sesSent).toBe(8_000);
  });

  it('prices each line and subtracts the free tiers that never expire', () => {
    const estimate = estimateMonthlyCost(data(), volumes);

    expect(line(estimate, 'Lambda', 'requests')).toMatchObject({
      quantity: 22_000,
      listUsd: expect.closeTo(0.0044, 10),
      usd: expect.closeTo(0.0042, 10),
    });
    // (2,000 × 1,000 ms + 2,000 × 100 ms) = 2,200 s at 2 GB = 4,400 GB-s
    expect(line(estimate, 'Lambda', 'compute')?.quantity).toBeCloseTo(4_400, 6);
    expect(line(estimate, 'Lambda', 'compute')?.listUsd).toBeCloseTo(0.044, 10);
    expect(line(estimate, 'API Gateway', 'HTTP API')?.listUsd).toBeCloseTo(0.016, 10);
    expect(line(estimate, 'DynamoDB', 'write')?.listUsd).toBeCloseTo(0.2, 10);
    expect(line(estimate, 'DynamoDB', 'read')?.listUsd).toBeCloseTo(0.011, 10);
    expect(line(estimate, 'SES', 'mail sent')?.listUsd).toBeCloseTo(0.8, 10);
    const search = estimate.items
      .filter((i) => i.service === 'Search')
      .reduce((sum, i) => sum + i.listUsd, 0);
    expect(estimate.listUsd).toBeCloseTo(0.0044 + 0.044 + 0.016 + 0.2 + 0.011 + 0.8 + search, 10);
    expect(estimate.usd).toBeCloseTo(estimate.listUsd - 0.0002, 10);
  });

  it('never bills an invocation below the minimum duration', () => {
    const fast = data({ lifecycle: { ...none, lambdaInvocations: 1000, lambdaMs: 10 } });

    const estimate = estimateMonthlyCost(fast, { employees: 0, ticketsPerMonth: 1, agents: 0 });
    // 1,000 invocations × max(1 ms, 0.01 ms) at 2 GB
    expect(line(estimate, 'Lambda', 'compute')?.quantity).toBeCloseTo(2, 10);
  });

  it('estimates the shipped data: every line adds up to the total, and more tickets cost more', () => {
    const shipped = loadCostData();
    const small = estimateMonthlyCost(shipped, { employees: 2000, ticketsPerMonth: 10_000, agents: 50 });
    const large = estimateMonthlyCost(shipped, { employees: 2000, ticketsPerMonth: 20_000, agents: 50 });

    expect(shipped.measured.lifecycle.lambdaInvocations).toBeGreaterThan(0);
    expect(small.listUsd).toBeCloseTo(
      small.items.reduce((sum, item) => sum + item.listUsd, 0),
      10,
    );
    expect(small.usd).toBeLessThanOrEqual(small.listUsd);
    expect(large.listUsd).toBeGreaterThan(small.listUsd);
    expect(formatEstimate(small, shipped)).toContain(`measured ${shipped.measured.at}`);
  });

  it('prices search apart: indexer batches grow with the index, and 1M indexed tickets cost far more than 10k', () => {
    const shipped = loadCostData();
    const tenThousand = { employees: 2000, ticketsPerMonth: 834, agents: 50 };
    const million = { employees: 100_000, ticketsPerMonth: 83_334, agents: 500 };
    const total = (v: typeof tenThousand) =>
      searchItems(shipped, v).reduce((sum, item) => sum + item.listUsd, 0);

    expect(indexedRecords(shipped, tenThousand)).toBe(834 * 12 + shipped.search.articles);
    expect(searchItems(shipped, tenThousand).map((item) => item.what)).toEqual([
      expect.stringContaining('index in S3'),
      'indexer and search invocations',
      expect.stringContaining('indexer and search compute'),
      'shard and manifest PUTs',
      'shard, manifest and digest GETs',
      'search API requests',
    ]);
    // 834 tickets × 5 indexed writes, 2 PUTs each.
    expect(searchItems(shipped, tenThousand)[3]?.quantity).toBe(834 * 5 * 2);
    expect(total(tenThousand)).toBeLessThan(1);
    expect(total(million)).toBeGreaterThan(50);
    expect(
      estimateMonthlyCost(shipped, tenThousand).items.filter((i) => i.service === 'Search'),
    ).toHaveLength(6);
  });
});
