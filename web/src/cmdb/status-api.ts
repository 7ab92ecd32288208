/**
 * The service status API as the portal sees it (types imported type-only from the server).
 * Kept apart from `cmdb-api.ts` so the home page's banner carries nothing of the CMDB pages.
 */

import type { ServiceHealth } from '../../../functions/core/cmdb/service-status.ts';
import type { OutageView, ServiceStatusView } from '../../../functions/core/cmdb/service-status-service.ts';
import type { Api } from '../shared/api.ts';

export type { OutageView, ServiceHealth, ServiceStatusView };

export const healthLabels: Record<ServiceHealth, string> = {
  operational: 'Operational',
  degraded: 'Degraded',
  outage: 'Outage',
};

/** How the banner says it: "Email is down", "Email is degraded". */
export const healthSentence: Record<ServiceHealth, string> = {
  operational: 'is working',
  degraded: 'is degraded',
  outage: 'is down',
};

const service = (id: string) => `/service-status/${encodeURIComponent(id)}`;

export function statusApi(api: Api) {
  return {
    page: () => api.request<{ items: ServiceStatusView[] }>('/service-status'),
    outages: () => api.request<{ items: OutageView[] }>('/service-status/outages'),
    meToo: (serviceId: string, incidentId: string) =>
      api.request<{ presses: number; pressed: true; watching: boolean }>(`${service(serviceId)}/me-too`, {
        method: 'POST',
        body: { incidentId },
      }),
    override: (serviceId: string, body: { status?: ServiceHealth; message: string; nextUpdateAt?: string }) =>
      api.request<ServiceStatusView>(`${service(serviceId)}/override`, { method: 'PUT', body }),
    clear: (serviceId: string) =>
      api.request<ServiceStatusView>(`${service(serviceId)}/override`, { method: 'DELETE' }),
  };
}

/** A 24-hour clock ("14:00"), as status pages write it; `timeStyle` cannot be combined with `weekday`. */
const clock = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' } as const;

/** "14:00" today, "Fri 09:00" another day, in the viewer's time zone (or `timeZone`). */
export function formatNextUpdate(iso: string, now = new Date(), timeZone?: string): string {
  const zone = timeZone ? { timeZone } : {};
  const at = new Date(iso);
  const day = new Intl.DateTimeFormat('en-CA', zone);
  const sameDay = day.format(at) === day.format(now);
  return new Intl.DateTimeFormat(undefined, {
    ...zone,
    ...clock,
    ...(sameDay ? {} : { weekday: 'short' }),
  }).format(at);
}
