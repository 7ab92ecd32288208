import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AwsConfigInventory, configSdk } from '#adapters/aws-config/config-inventory.ts';
import { DynamoInitialLoadStore } from '#adapters/dynamodb/initial-load-store.dynamo.ts';
import { domainTable, idempotencyTable, tableName } from '#adapters/dynamodb/table-definition.ts';
import { cmdbDiscoveryServices } from '#config/composition-root.ts';
import { cmdbDiscoveryEnv, parseEnv } from '#config/env.ts';
import { runInitialLoad } from '#core/cmdb/initial-load.ts';

const usage = `npm run cmdb:initial-load -- --prefix <table prefix> --bus <event bus> --account <12 digits>
    [--region eu-west-1] [--restart] [--max-pages N]

Loads the CMDB of one account and region from AWS Config (an advanced query over the resource
types the CMDB has classes for; docs/cmdb.md). Needs an AWS Config recorder in that account and
region, and credentials allowed config:SelectResourceConfig, the Spoke tables and PutEvents on
the bus. One CI per ARN: running it again, or alongside the discovery function, adds nothing
twice. It keeps its place after every page: a load cut short resumes where it stopped; a
finished one runs again only with --restart.`;

if (import.meta.main) {
  const { values } = parseArgs({
    options: {
      prefix: { type: 'string' },
      bus: { type: 'string' },
      account: { type: 'string' },
      region: { type: 'string', default: process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION },
      restart: { type: 'boolean', default: false },
      'max-pages': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.prefix || !values.bus || !values.account || !values.region) {
    console.log(usage);
    process.exit(values.help ? 0 : 2);
  }
  if (!/^\d{12}$/.test(values.account)) {
    console.error(`--account must be a 12-digit AWS account id, not ${values.account}`);
    process.exit(2);
  }
  const env = parseEnv(cmdbDiscoveryEnv, {
    DOMAIN_TABLE: tableName(values.prefix, domainTable),
    IDEMPOTENCY_TABLE: tableName(values.prefix, idempotencyTable),
    EVENT_BUS_NAME: values.bus,
  });
  const services = cmdbDiscoveryServices(env);
  const { ConfigServiceClient } = await configSdk();
  const started = Date.now();
  const cursor = await runInitialLoad(
    {
      ...services,
      inventory: new AwsConfigInventory(new ConfigServiceClient({ region: values.region })),
      cursors: new DynamoInitialLoadStore({
        client: DynamoDBDocumentClient.from(new DynamoDBClient({}), {
          marshallOptions: { removeUndefinedValues: true },
        }),
        domainTable: env.DOMAIN_TABLE,
        idempotencyTable: env.IDEMPOTENCY_TABLE,
      }),
    },
    {
      accountId: values.account,
      region: values.region,
      restart: values.restart,
      ...(values['max-pages'] ? { maxPages: Number(values['max-pages']) } : {}),
    },
  );
  console.log(
    `${cursor.finishedAt ? 'Finished' : 'Stopped (run again to resume)'}: ${cursor.items} items in ${cursor.pages} pages — ${cursor.created} created, ${cursor.updated} updated, ${cursor.unchanged} unchanged, ${cursor.failed} refused (${((Date.now() - started) / 1000).toFixed(1)} s)`,
  );
  for (const failure of cursor.failures)
    console.log(`  refused ${failure.arn ?? '(no ARN)'}: ${failure.reason}`);
}
