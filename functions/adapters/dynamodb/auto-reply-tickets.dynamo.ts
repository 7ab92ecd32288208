import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { normalizeEmail } from '#core/identity/actor.ts';
import type { AutoReplyTickets } from '#ports/auto-reply-tickets.ts';
import type { Clock } from '#ports/clock.ts';

const key = (sender: string) => ({ pk: `AUTOREPLY#${normalizeEmail(sender)}` });

/**
 * One item per sender in the idempotency table. DynamoDB's TTL removes items late (within
 * days), so a read checks `expiresAt` itself.
 */
export class DynamoAutoReplyTickets implements AutoReplyTickets {
  readonly #db: DynamoDBDocumentClient;
  readonly #table: string;
  readonly #clock: Clock;
  readonly #windowSeconds: number;

  /** @param windowSeconds how long a sender's auto-reply ticket collects the next ones @default 1 day */
  constructor(
    client: DynamoDBDocumentClient,
    idempotencyTable: string,
    clock: Clock,
    windowSeconds = 86_400,
  ) {
    this.#db = client;
    this.#table = idempotencyTable;
    this.#clock = clock;
    this.#windowSeconds = windowSeconds;
  }

  #now = () => Math.floor(this.#clock.now().getTime() / 1000);

  async ticketFor(sender: string): Promise<string | undefined> {
    const { Item } = await this.#db.send(
      new GetCommand({ TableName: this.#table, Key: key(sender), ConsistentRead: true }),
    );
    if (!Item || typeof Item.ticketId !== 'string' || Number(Item.expiresAt) <= this.#now()) return undefined;
    return Item.ticketId;
  }

  async remember(sender: string, ticketId: string): Promise<void> {
    await this.#db.send(
      new PutCommand({
        TableName: this.#table,
        Item: { ...key(sender), ticketId, expiresAt: this.#now() + this.#windowSeconds },
      }),
    );
  }
}
