/**
 * Spoke's monthly AWS bill for given volumes, from the requests one ticket's life sends
 * (measured by `npm run cost:measure`) and AWS list prices (functions/ops/cost-data.json,
 * explained in docs/cost.md). Pure arithmetic: `npm run cost` prints it, a unit test checks it.
 */

/** What one measured piece of work costs in requests. */
export interface Usage {
  readonly apiRequests: number;
  readonly lambdaInvocations: number;
  /** Summed wall time of those invocations, measured locally. */
  readonly lambdaMs: number;
  readonly dynamodbReadUnits: number;
  readonly dynamodbWriteUnits: number;
  readonly dynamodbRequests: Readonly<Record<string, number>>;
  readonly sesSent: number;
  readonly sesReceived: number;
  readonly s3Puts: number;
  readonly s3Gets: number;
  readonly events: number;
}

/** AWS list prices in USD; `date` and `region` say which. */
export interface Prices {
  readonly date: string;
  readonly region: string;
  readonly source: string;
  readonly lambdaPerMillionRequests: number;
  readonly lambdaArmPerGbSecond: number;
  readonly dynamodbPerMillionWriteUnits: number;
  readonly dynamodbPerMillionReadUnits: number;
  readonly dynamodbPerGbMonth: number;
  readonly dynamodbPitrPerGbMonth: number;
  readonly httpApiPerMillionRequests: number;
  readonly stepFunctionsPerThousandTransitions: number;
  readonly sesPerThousandSent: number;
  readonly sesPerThousandReceived: number;
  readonly sesPerThousandReceivedChunks: number;
  readonly s3PerThousandPuts: number;
  readonly s3PerThousandGets: number;
  readonly s3PerGbMonth: number;
  readonly eventBridgePerMillionEvents: number;
  readonly cognitoEssentialsPerMau: number;
  readonly cloudWatchPerAlarm: number;
  readonly cloudWatchPerDashboard: number;
  readonly cloudWatchPerMetric: number;
  readonly cloudWatchLogsPerGbIngested: number;
  readonly kmsPerKeyMonth: number;
  readonly xrayPerMillionTraces: number;
}

/** The free tiers that never expire (12-month trials are left out: a deployment outlives them). */
export interface FreeTier {
  readonly lambdaRequests: number;
  readonly lambdaGbSeconds: number;
  readonly dynamodbGb: number;
  readonly stepFunctionsTransitions: number;
  readonly cognitoMau: number;
  readonly cloudWatchAlarms: number;
  readonly cloudWatchDashboards: number;
  readonly cloudWatchMetrics: number;
  readonly cloudWatchLogsGb: number;
  readonly xrayTraces: number;
}

/** What is assumed rather than measured; each is documented in docs/cost.md. */
export interface Assumptions {
  readonly workdaysPerMonth: number;
  readonly agentQueuePagesPerWorkday: number;
  readonly employeePortalPagesPerMonth: number;
  /** Share of employees who sign in to the portal in a month (Cognito bills monthly active users). */
  readonly employeeMonthlyActiveShare: number;
  readonly changesPerTicket: number;
  readonly stepFunctionsTransitionsPerChange: number;
  readonly lambdaMemoryMb: number;
  /** Lambda bills whole milliseconds; the local wall time is used as the duration, at least this. */
  readonly lambdaMinMsPerInvocation: number;
  readonly housekeepingRunsPerMonth: number;
  readonly dynamodbKbPerTicket: number;
  readonly rawMailKbPerMessage: number;
  readonly attachmentKbPerTicket: number;
  readonly monthsOfData: number;
  readonly logKbPerInvocation: number;
  readonly alarms: number;
  readonly dashboards: number;
  readonly customMetrics: number;
  readonly kmsKeys: number;
}

/** Search (docs/adr/0003): measured by `npm run bench -- --only search`, the rest assumed (docs/cost.md). */
export interface SearchCostData {
  /** Index size in S3, gzipped, per 1,000 indexed records (bench, 100k + 5k). */
  readonly indexGzipKbPer1000Records: number;
  /** Published and draft articles indexed besides the tickets. */
  readonly articles: number;
  /** Writes of a ticket item over its life that reach the indexer (open, assign, replies, resolve, close). */
  readonly indexWritesPerTicket: number;
  /** The indexer's time for one batch: a fixed part plus the rewrite of a shard that grows with the index (bench: 117 ms at 10.5k records, 951 ms at 105k). */
  readonly indexerBatchMsBase: number;
  readonly indexerMsPer1000Records: number;
  readonly indexerMemoryMb: number;
  /** S3 requests of one indexer batch: manifest + shard reads, shard + manifest writes. */
  readonly indexerGetsPerBatch: number;
  readonly indexerPutsPerBatch: number;
  readonly ticketShards: number;
  readonly knowledgeShards: number;
  readonly searchesPerAgentPerWorkday: number;
  /** Searches the ticket form makes while an employee types a subject (suggestions). */
  readonly suggestionQueriesPerPortalTicket: number;
  readonly portalTicketShare: number;
  readonly searchMsWarm: number;
  readonly searchMemoryMb: number;
  readonly searchColdStartsPerDay: number;
  /** Cold load of the whole index per 1,000 indexed records (bench: 6.3 s at 105k). */
  readonly coldLoadMsPer1000Records: number;
}

export interface CostData {
  readonly prices: Prices;
  readonly freeTier: FreeTier;
  readonly assumptions: Assumptions;
  readonly search: SearchCostData;
  readonly measured: {
    readonly at: string;
    readonly how: string;
    /** One ticket: opened by mail and acknowledged, three articles, resolved, read by the requester. */
    readonly lifecycle: Usage;
    readonly agentQueuePage: Usage;
    readonly employeeTicketsPage: Usage;
    readonly housekeepingRun: Usage;
  };
}

export interface Volumes {
  readonly employees: number;
  readonly ticketsPerMonth: number;
  readonly agents: number;
}

export interface LineItem {
  readonly service: string;
  readonly what: string;
  readonly quantity: number;
  readonly unit: string;
  /** USD a month at list price. */
  readonly listUsd: number;
  /** USD a month after the free tiers that never expire. */
  readonly usd: number;
}

export interface Estimate {
  readonly volumes: Volumes;
  readonly monthly: Usage;
  readonly items: readonly LineItem[];
  readonly listUsd: number;
  readonly usd: number;
}

const scale = (usage: Usage, factor: number): Usage => ({
  apiRequests: usage.apiRequests * factor,
  lambdaInvocations: usage.lambdaInvocations * factor,
  lambdaMs: usage.lambdaMs * factor,
  dynamodbReadUnits: usage.dynamodbReadUnits * factor,
  dynamodbWriteUnits: usage.dynamodbWriteUnits * factor,
  dynamodbRequests: Object.fromEntries(
    Object.entries(usage.dynamodbRequests).map(([operation, count]) => [operation, count * factor]),
  ),
  sesSent: usage.sesSent * factor,
  sesReceived: usage.sesReceived * factor,
  s3Puts: usage.s3Puts * factor,
  s3Gets: usage.s3Gets * factor,
  events: usage.events * factor,
});

const add = (...usages: Usage[]): Usage =>
  usages.reduce((sum, usage) => ({
    apiRequests: sum.apiRequests + usage.apiRequests,
    lambdaInvocations: sum.lambdaInvocations + usage.lambdaInvocations,
    lambdaMs: sum.lambdaMs + usage.lambdaMs,
    dynamodbReadUnits: sum.dynamodbReadUnits + usage.dynamodbReadUnits,
    dynamodbWriteUnits: sum.dynamodbWriteUnits + usage.dynamodbWriteUnits,
    dynamodbRequests: Object.fromEntries(
      [...new Set([...Object.keys(sum.dynamodbRequests), ...Object.keys(usage.dynamodbRequests)])].map(
        (op) => [op, (sum.dynamodbRequests[op] ?? 0) + (usage.dynamodbRequests[op] ?? 0)],
      ),
    ),
    sesSent: sum.sesSent + usage.sesSent,
    sesReceived: sum.sesReceived + usage.sesReceived,
    s3Puts: sum.s3Puts + usage.s3Puts,
    s3Gets: sum.s3Gets + usage.s3Gets,
    events: sum.events + usage.events,
  }));

/** The monthly requests of a Spoke with these volumes: tickets, agents' queues, employees' pages, housekeeping. */
export function monthlyUsage(data: CostData, volumes: Volumes): Usage {
  const { measured, assumptions: a } = data;
  return add(
    scale(measured.lifecycle, volumes.ticketsPerMonth),
    scale(measured.agentQueuePage, volumes.agents * a.agentQueuePagesPerWorkday * a.workdaysPerMonth),
    scale(measured.employeeTicketsPage, volumes.employees * a.employeePortalPagesPerMonth),
    scale(measured.housekeepingRun, a.housekeepingRunsPerMonth),
  );
}

/** The monthly bill, line by line, at list price and after the free tiers that never expire. */
export function estimateMonthlyCost(data: CostData, volumes: Volumes): Estimate {
  const { prices: p, freeTier: free, assumptions: a } = data;
  const usage = monthlyUsage(data, volumes);
  const items: LineItem[] = [];
  const item = (
    service: string,
    what: string,
    quantity: number,
    unit: string,
    price: number,
    freeQuantity = 0,
  ) => {
    items.push({
      service,
      what,
      quantity,
      unit,
      listUsd: quantity * price,
      usd: Math.max(0, quantity - freeQuantity) * price,
    });
  };

  const msPerInvocation =
    usage.lambdaInvocations === 0
      ? 0
      : Math.max(a.lambdaMinMsPerInvocation, usage.lambdaMs / usage.lambdaInvocations);
  const gbSeconds = ((usage.lambdaInvocations * msPerInvocation) / 1000) * (a.lambdaMemoryMb / 1024);
  item(
    'Lambda',
    'requests',
    usage.lambdaInvocations,
    'requests',
    p.lambdaPerMillionRequests / 1e6,
    free.lambdaRequests,
  );
  item(
    'Lambda',
    `compute (arm64, ${a.lambdaMemoryMb} MB)`,
    gbSeconds,
    'GB-s',
    p.lambdaArmPerGbSecond,
    free.lambdaGbSeconds,
  );
  item('API Gateway', 'HTTP API requests', usage.apiRequests, 'requests', p.httpApiPerMillionRequests / 1e6);
  item(
    'DynamoDB',
    'write request units',
    usage.dynamodbWriteUnits,
    'WRU',
    p.dynamodbPerMillionWriteUnits / 1e6,
  );
  item('DynamoDB', 'read request units', usage.dynamodbReadUnits, 'RRU', p.dynamodbPerMillionReadUnits / 1e6);
  const tableGb = (volumes.ticketsPerMonth * a.monthsOfData * a.dynamodbKbPerTicket) / 1024 / 1024;
  item(
    'DynamoDB',
    `storage after ${a.monthsOfData} months`,
    tableGb,
    'GB-month',
    p.dynamodbPerGbMonth,
    free.dynamodbGb,
  );
  item('DynamoDB', 'point-in-time recovery', tableGb, 'GB-month', p.dynamodbPitrPerGbMonth);
  item('SES', 'mail sent', usage.sesSent, 'messages', p.sesPerThousandSent / 1000);
  item('SES', 'mail received', usage.sesReceived, 'messages', p.sesPerThousandReceived / 1000);
  const chunks = usage.sesReceived * Math.ceil(a.rawMailKbPerMessage / 256);
  item('SES', 'received 256 KB chunks', chunks, 'chunks', p.sesPerThousandReceivedChunks / 1000);
  item('S3', 'PUT requests (raw mail, attachments)', usage.s3Puts, 'requests', p.s3PerThousandPuts / 1000);
  item('S3', 'GET requests', usage.s3Gets, 'requests', p.s3PerThousandGets / 1000);
  const rawGb = (usage.sesReceived * a.rawMailKbPerMessage * Math.min(a.monthsOfData, 12)) / 1024 / 1024;
  const attachmentGb = (volumes.ticketsPerMonth * a.attachmentKbPerTicket * a.monthsOfData) / 1024 / 1024;
  item('S3', 'storage (raw mail ≤ 12 months, attachments)', rawGb + attachmentGb, 'GB-month', p.s3PerGbMonth);
  item('EventBridge', 'domain events', usage.events, 'events', p.eventBridgePerMillionEvents / 1e6);
  const transitions = volumes.ticketsPerMonth * a.changesPerTicket * a.stepFunctionsTransitionsPerChange;
  item(
    'Step Functions',
    'change approval transitions',
    transitions,
    'transitions',
    p.stepFunctionsPerThousandTransitions / 1000,
    free.stepFunctionsTransitions,
  );
  const mau = Math.ceil(volumes.employees * a.employeeMonthlyActiveShare) + volumes.agents;
  item(
    'Cognito',
    'monthly active users (Essentials)',
    mau,
    'MAU',
    p.cognitoEssentialsPerMau,
    free.cognitoMau,
  );
  item('CloudWatch', 'alarms', a.alarms, 'alarms', p.cloudWatchPerAlarm, free.cloudWatchAlarms);
  item(
    'CloudWatch',
    'dashboard',
    a.dashboards,
    'dashboards',
    p.cloudWatchPerDashboard,
    free.cloudWatchDashboards,
  );
  item(
    'CloudWatch',
    'Spoke metrics',
    a.customMetrics,
    'metrics',
    p.cloudWatchPerMetric,
    free.cloudWatchMetrics,
  );
  const logGb = (usage.lambdaInvocations * a.logKbPerInvocation) / 1024 / 1024;
  item('CloudWatch', 'log ingestion', logGb, 'GB', p.cloudWatchLogsPerGbIngested, free.cloudWatchLogsGb);
  item(
    'X-Ray',
    'traces (every invocation, at most)',
    usage.lambdaInvocations,
    'traces',
    p.xrayPerMillionTraces / 1e6,
    free.xrayTraces,
  );
  item('KMS', 'customer managed keys', a.kmsKeys, 'keys', p.kmsPerKeyMonth);

  items.push(...searchItems(data, volumes));

  const total = (key: 'listUsd' | 'usd') => items.reduce((sum, line) => sum + line[key], 0);
  return { volumes, monthly: usage, items, listUsd: total('listUsd'), usd: total('usd') };
}

/** How many records the search index holds: every ticket kept (monthsOfData) and the articles. */
export const indexedRecords = (data: CostData, volumes: Volumes): number =>
  volumes.ticketsPerMonth * data.assumptions.monthsOfData + data.search.articles;

/**
 * Search without a cluster (ADR 0003), priced apart from the ticket lifecycle: the shards kept in
 * S3, the indexer's batches (one per indexed write at low rates: each rewrites a shard whose size
 * grows with the index) with their S3 reads and writes, and the search function's queries, cold
 * loads of every shard and manifest looks. Lambda's free tier is already taken by the lines above.
 */
export function searchItems(data: CostData, volumes: Volumes): LineItem[] {
  const { prices: p, search: s, assumptions: a } = data;
  const records = indexedRecords(data, volumes);
  const line = (what: string, quantity: number, unit: string, price: number): LineItem => ({
    service: 'Search',
    what,
    quantity,
    unit,
    listUsd: quantity * price,
    usd: quantity * price,
  });
  const batches = volumes.ticketsPerMonth * s.indexWritesPerTicket;
  const batchMs = s.indexerBatchMsBase + (s.indexerMsPer1000Records * records) / 1000;
  const searches =
    volumes.agents * s.searchesPerAgentPerWorkday * a.workdaysPerMonth +
    volumes.ticketsPerMonth * s.portalTicketShare * s.suggestionQueriesPerPortalTicket;
  const coldStarts = s.searchColdStartsPerDay * 30;
  const coldMs = (s.coldLoadMsPer1000Records * records) / 1000;
  const gbSeconds =
    ((batches * batchMs) / 1000) * (s.indexerMemoryMb / 1024) +
    (((searches * s.searchMsWarm + coldStarts * coldMs) / 1000) * s.searchMemoryMb) / 1024;
  const shardsPerLoad = s.ticketShards + s.knowledgeShards + 2;
  return [
    line(
      `index in S3 (${Math.round(records).toLocaleString('en-US')} records)`,
      (records * s.indexGzipKbPer1000Records) / 1000 / 1024 / 1024,
      'GB-month',
      p.s3PerGbMonth,
    ),
    line('indexer and search invocations', batches + searches, 'requests', p.lambdaPerMillionRequests / 1e6),
    line(
      `indexer and search compute (${Math.round(batchMs)} ms a batch)`,
      gbSeconds,
      'GB-s',
      p.lambdaArmPerGbSecond,
    ),
    line('shard and manifest PUTs', batches * s.indexerPutsPerBatch, 'requests', p.s3PerThousandPuts / 1000),
    line(
      'shard, manifest and digest GETs',
      batches * s.indexerGetsPerBatch + searches + coldStarts * shardsPerLoad + volumes.ticketsPerMonth,
      'requests',
      p.s3PerThousandGets / 1000,
    ),
    line('search API requests', searches, 'requests', p.httpApiPerMillionRequests / 1e6),
  ];
}
