import type { EventBridgeEvent } from 'aws-lambda';
import { notifyAboutEvent } from '#channels/email/notifications.ts';
import { notificationServices, telemetry } from '#config/composition-root.ts';
import { notificationsEnv, parseEnv } from '#config/env.ts';
import { instrumented } from '#config/telemetry.ts';
import type { DomainEvent } from '#ports/domain-events.ts';

const deps = notificationServices(parseEnv(notificationsEnv));
const log = telemetry();

/** A domain event as the EventBridge rule delivers it (see docs/events.md). */
export type DomainEventDelivery = EventBridgeEvent<
  DomainEvent['type'],
  Record<string, unknown> & { eventId?: string }
>;

/** Lambda entry of the notification rule: mails the people of a ticket about a reply or a resolution. */
export const handler = instrumented(
  log,
  async (event: DomainEventDelivery): Promise<{ mailed: string[] }> => {
    if (typeof event.detail.number === 'string') log.correlate({ ticketNumber: event.detail.number });
    const mailed = await notifyAboutEvent(deps, {
      type: event['detail-type'],
      id: String(event.detail.eventId ?? event.id),
      at: event.time,
      detail: event.detail,
    });
    if (mailed.length > 0) log.count('NotificationsMailed', mailed.length);
    log.info('notifications', { event: event['detail-type'], mailed: mailed.length });
    return { mailed };
  },
);
