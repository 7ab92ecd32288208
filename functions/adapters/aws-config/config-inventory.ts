import type { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { supportedResourceTypes } from '#core/cmdb/aws-config.ts';
import type { ConfigInventory, ConfigInventoryPage } from '#core/cmdb/initial-load.ts';

/** The Config SDK, imported at first use (only the initial load needs it; the bundles test keeps it out of every function's load). */
export const configSdk = () => import('@aws-sdk/client-config-service');

/** The advanced query of the initial load: every recorded resource of a type the CMDB has a class for. */
export const initialLoadQuery = `SELECT arn, accountId, awsRegion, resourceType, resourceId, resourceName, availabilityZone, configurationItemStatus, configurationItemCaptureTime, configuration, tags, relationships WHERE resourceType IN (${supportedResourceTypes.map((t) => `'${t}'`).join(', ')})`;

/** Config's inventory of this account and region, page by page (`SelectResourceConfig`, 100 rows a page). */
export class AwsConfigInventory implements ConfigInventory {
  readonly #client: Pick<ConfigServiceClient, 'send'>;
  readonly #expression: string;

  constructor(client: Pick<ConfigServiceClient, 'send'>, expression = initialLoadQuery) {
    this.#client = client;
    this.#expression = expression;
  }

  async page(nextToken?: string): Promise<ConfigInventoryPage> {
    const { SelectResourceConfigCommand } = await configSdk();
    const out = await this.#client.send(
      new SelectResourceConfigCommand({
        Expression: this.#expression,
        Limit: 100,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    return {
      rows: (out.Results ?? []).map((row) => JSON.parse(row) as unknown),
      ...(out.NextToken ? { nextToken: out.NextToken } : {}),
    };
  }
}
