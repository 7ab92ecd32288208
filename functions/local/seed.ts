import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { createTransport } from 'nodemailer';
import { DynamoTicketStore } from '#adapters/dynamodb/ticket-store.dynamo.ts';
import { systemClock, ulids } from '#adapters/system/system.ts';
import type { InboundEmailEnv } from '#config/env.ts';
import { openTicket, type TicketDeps } from '#core/ticket/ticket-service.ts';
import { demoUsers } from './demo-users.ts';

export interface SeedOptions {
  readonly dynamodbEndpoint: string;
  readonly env: InboundEmailEnv;
  readonly smtpPort: number;
  readonly supportAddress: string;
}

const employee = demoUsers.find((u) => u.username === 'employee') as (typeof demoUsers)[number];

/**
 * Demo data for a first start: tickets from the portal through the same core the API uses,
 * and one mail through the SMTP intake, so both paths have something to show.
 */
export async function seedDemoData(options: SeedOptions): Promise<void> {
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: options.dynamodbEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  const deps: TicketDeps = {
    tickets: new DynamoTicketStore({
      client,
      domainTable: options.env.DOMAIN_TABLE,
      idempotencyTable: options.env.IDEMPOTENCY_TABLE,
    }),
    clock: systemClock,
    ids: ulids,
    events: { publish: async () => undefined },
  };
  const actor = {
    id: employee.sub,
    email: employee.email,
    name: employee.name,
    groups: [...employee.groups],
  };
  await openTicket(
    deps,
    actor,
    {
      shortDescription: 'Laptop does not wake from sleep',
      description: 'Since the update on Monday the screen stays black after closing the lid.',
      impact: 3,
      urgency: 2,
    },
    { channel: 'portal' },
  );
  await openTicket(
    deps,
    actor,
    {
      kind: 'request',
      shortDescription: 'New phone for field work',
      description: 'My phone no longer gets security updates.',
    },
    { channel: 'portal' },
  );
  client.destroy();

  const transport = createTransport({
    host: '127.0.0.1',
    port: options.smtpPort,
    secure: false,
    ignoreTLS: true,
  });
  await transport.sendMail({
    from: `${employee.name} <${employee.email}>`,
    to: options.supportAddress,
    subject: 'Printer on floor 3 prints blank pages',
    text: 'Hello,\n\nthe printer next to the kitchen on floor 3 only prints blank pages since this morning.\n\nEmma',
  });
  transport.close();
}
