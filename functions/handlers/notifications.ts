import type { EventBridgeEvent } from 'aws-lambda';
import { notifyAboutEvent } from '#channels/email/notifications.ts';
import { notificationServices } from '#config/composition-root.ts';
import { notificationsEnv, parseEnv } from '#config/env.ts';
import type { DomainEvent } from '#ports/domain-events.ts';

const deps = notificationServices(parseEnv(notificationsEnv));

/** A domain event as the EventBridge rule delivers it (see docs/events.md). */
export type DomainEventDelivery = EventBridgeEvent<
  DomainEvent['type'],
  Record<string, unknown> & { eventId?: string }
>;

/** Lambda entry of the notification rule: mails the people of a ticket about a reply or a resolution. */
export async function handler(event: DomainEventDelivery): Promise<{ mailed: string[] }> {
  const mailed = await notifyAboutEvent(deps, {
    type: event['detail-type'],
    id: String(event.detail.eventId ?? event.id),
    at: event.time,
    detail: event.detail,
  });
  console.log(
    JSON.stringify({
      level: 'INFO',
      message: 'notifications',
      event: event['detail-type'],
      mailed: mailed.length,
    }),
  );
  return { mailed };
}
