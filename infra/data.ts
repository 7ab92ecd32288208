import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, StreamViewType, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { type Bucket, HttpMethods, type IBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type * as z from 'zod';
import {
  domainTable,
  idempotencyTable,
  type TableDefinition,
  tableName,
} from '#adapters/dynamodb/table-definition.ts';
import type { dataEnv } from '#config/env.ts';
import { ATTACHMENT_KEY_PREFIX } from '#core/attachment/attachment.ts';
import { privateBucket } from './buckets.ts';
import type { SpokeTable } from './spoke-function.ts';

/** Key prefix of attachments in the attachments bucket (`tickets/<ticketId>/<attachmentId>`). */
export const attachmentPrefix = ATTACHMENT_KEY_PREFIX;

export interface DataProps {
  /** Physical-name prefix, e.g. `spoke-prod`, shared with the local cloud. */
  readonly prefix: string;
  readonly accessLogs: IBucket;
  /** The bus every function that changes data publishes its domain events to. */
  readonly eventBusName: string;
  /** The service desk's time zone and staffed hours, for every function that touches tickets. */
  readonly businessHours?: Pick<z.input<typeof dataEnv>, 'TIME_ZONE' | 'BUSINESS_HOURS'>;
  /** Tables restored from a backup that the functions use instead of the created ones (docs/restore.md). */
  readonly restoredTables?: { readonly domain?: string; readonly idempotency?: string };
  /**
   * DynamoDB deletion protection on the created tables. Off for the first deploy: a failed first
   * deploy's rollback deletes what it created, and a protected table refuses that delete.
   * @default false
   */
  readonly deletionProtection?: boolean;
}

/**
 * Where Spoke keeps its records: one `TableV2` per table definition (the same definitions the
 * local cloud creates its tables from) and the attachments bucket. Tables have point-in-time
 * recovery and are retained when the stack is deleted or replaces them (`RetainExceptOnCreate`:
 * the rollback of the deploy that created them still removes them, so a retry finds no
 * leftover of the same name); deletion protection is the config switch `deletionProtection`,
 * turned on once the first deploy succeeded: ticket history is the product.
 */
export class Data extends Construct {
  /** The domain table the functions use: the created one, or a restored one. */
  readonly domain: SpokeTable;
  readonly idempotency: SpokeTable;
  /** The tables this stack created: retained, with PITR (and deletion protection when configured), even when a restored table is in use. */
  readonly created: { readonly domain: TableV2; readonly idempotency: TableV2 };
  readonly attachments: Bucket;
  /** The table names, as every function that touches data receives them. */
  readonly environment: z.input<typeof dataEnv>;

  constructor(scope: Construct, id: string, props: DataProps) {
    super(scope, id);
    this.created = {
      domain: this.table(props.prefix, domainTable, props.deletionProtection ?? false),
      idempotency: this.table(props.prefix, idempotencyTable, props.deletionProtection ?? false),
    };
    const inUse = (
      definition: TableDefinition,
      created: TableV2,
      restored: string | undefined,
    ): SpokeTable => ({
      table: restored ? TableV2.fromTableName(this, `${definition.id}-restored`, restored) : created,
      definition,
    });
    this.domain = inUse(domainTable, this.created.domain, props.restoredTables?.domain);
    this.idempotency = inUse(idempotencyTable, this.created.idempotency, props.restoredTables?.idempotency);
    this.attachments = privateBucket(this, 'Attachments', {
      accessLogs: props.accessLogs,
      lifecycleRules: [{ abortIncompleteMultipartUploadAfter: Duration.days(1) }],
    });
    this.environment = {
      DOMAIN_TABLE: this.domain.table.tableName,
      IDEMPOTENCY_TABLE: this.idempotency.table.tableName,
      EVENT_BUS_NAME: props.eventBusName,
      ...props.businessHours,
    };
  }

  /**
   * Lets the portal's origin, and no other, upload attachments with the presigned PUT (its
   * signed headers included) and fetch them with the presigned GET.
   */
  allowAttachmentTransfersFrom(origin: string): void {
    this.attachments.addCorsRule({
      allowedOrigins: [origin],
      allowedMethods: [HttpMethods.PUT, HttpMethods.GET],
      allowedHeaders: ['content-type', 'x-amz-checksum-sha256'],
      exposedHeaders: ['etag', 'content-disposition'],
      maxAge: 3600,
    });
  }

  private table(prefix: string, definition: TableDefinition, deletionProtection: boolean): TableV2 {
    const key = (attribute: { name: string }) => ({ name: attribute.name, type: AttributeType.STRING });
    const table = new TableV2(this, definition.id, {
      tableName: tableName(prefix, definition),
      partitionKey: key(definition.partitionKey),
      sortKey: definition.sortKey && key(definition.sortKey),
      globalSecondaryIndexes: definition.globalIndexes.map((index) => ({
        indexName: index.indexName,
        partitionKey: key(index.partitionKey),
        sortKey: key(index.sortKey),
      })),
      timeToLiveAttribute: definition.timeToLiveAttribute,
      dynamoStream: definition.stream ? StreamViewType.NEW_AND_OLD_IMAGES : undefined,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection,
      removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
    });
    return table;
  }
}
