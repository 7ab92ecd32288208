import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SESClient } from '@aws-sdk/client-ses';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { z } from 'zod';
import { DynamoQuarantineStore } from '#adapters/dynamodb/quarantine-store.dynamo.ts';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { S3RawMailStore } from '#adapters/s3/raw-mail-store.s3.ts';
import { SesMailer } from '#adapters/ses/mailer.ses.ts';
import { logEventPublisher } from '#adapters/system/log-event-publisher.ts';
import { systemClock, ulids } from '#adapters/system/system.ts';
import type { InboundMailDeps } from '#channels/email/process-inbound.ts';
import type { TicketDeps } from '#core/ticket/ticket-service.ts';
import type { DomainEventPublisher } from '#ports/domain-events.ts';
import type { QuarantineStore } from '#ports/quarantine-store.ts';
import type { dataEnv, inboundEmailEnv } from './env.ts';

/**
 * The composition root: the only module that decides which adapters run. In Lambda every
 * client talks to AWS; the local cloud calls `wireLocalCloud` first, which points the same
 * SDK clients at the emulators and swaps the event bus. Nothing else asks where it runs.
 */
export interface LocalCloudWiring {
  readonly endpoints: { readonly dynamodb: string; readonly s3: string; readonly ses: string };
  readonly events: DomainEventPublisher;
}

let local: LocalCloudWiring | undefined;

/** s3rver's fixed credentials; path-style addressing because buckets are not DNS names on loopback. */
export const localS3Config = {
  region: 'local',
  forcePathStyle: true,
  credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
} as const;

export function wireLocalCloud(wiring: LocalCloudWiring): void {
  local = wiring;
}

const localClientConfig = () =>
  local ? { region: 'local', credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {};

function dataAdapters(env: z.output<typeof dataEnv>) {
  const dynamo = new DynamoDBClient({
    ...localClientConfig(),
    ...(local ? { endpoint: local.endpoints.dynamodb } : {}),
  });
  const documents = DynamoDBDocumentClient.from(dynamo, { marshallOptions: { removeUndefinedValues: true } });
  return {
    tickets: new DynamoTicketStore({
      client: documents,
      domainTable: env.DOMAIN_TABLE,
      idempotencyTable: env.IDEMPOTENCY_TABLE,
    }),
    quarantine: new DynamoQuarantineStore(documents, env.DOMAIN_TABLE),
    clock: systemClock,
    ids: ulids,
    events: local?.events ?? logEventPublisher,
  };
}

export function apiServices(
  env: z.output<typeof dataEnv>,
): TicketDeps & { readonly quarantine: QuarantineStore } {
  return dataAdapters(env);
}

export function inboundEmailServices(env: z.output<typeof inboundEmailEnv>): InboundMailDeps {
  const s3 = new S3Client(local ? { ...localS3Config, endpoint: local.endpoints.s3 } : {});
  const ses = new SESClient({ ...localClientConfig(), ...(local ? { endpoint: local.endpoints.ses } : {}) });
  return {
    ...dataAdapters(env),
    rawMail: new S3RawMailStore(s3, env.RAW_MAIL_BUCKET),
    mailer: new SesMailer(ses, env.MAIL_FROM),
    supportAddress: env.SUPPORT_ADDRESS,
    portalUrl: env.PORTAL_URL,
  };
}
