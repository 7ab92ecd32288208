/**
 * The service-level API as the portal sees it: the server's own types, imported type-only.
 */
import type {
  SaveCalendarInput,
  StoredCalendar,
  UpdateDefinitionInput,
} from '../../../functions/core/sla/sla-admin.ts';
import type { SlaDefinition } from '../../../functions/core/sla/sla-definition.ts';
import type { SlaView } from '../../../functions/core/sla/sla-service.ts';
import { type Api, ApiError } from '../shared/api.ts';

export type { ClockView } from '../../../functions/core/sla/sla-record.ts';
export type { SlaView } from '../../../functions/core/sla/sla-service.ts';
export type { SlaDefinition, StoredCalendar };

export function slaApi(api: Api) {
  return {
    /** A record's clocks, or undefined when it has none (or is not the caller's to see). */
    async record(recordId: string): Promise<SlaView | undefined> {
      try {
        return await api.request<SlaView>(`/sla/records/${encodeURIComponent(recordId)}`);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return undefined;
        throw error;
      }
    },
    definitions: async () => (await api.request<{ items: SlaDefinition[] }>('/sla/definitions')).items,
    calendars: async () => (await api.request<{ items: StoredCalendar[] }>('/sla/calendars')).items,
    /** Saves a new version of a definition (records already running keep theirs). */
    saveDefinition: (id: string, definition: UpdateDefinitionInput) =>
      api.request<SlaDefinition>(`/sla/definitions/${encodeURIComponent(id)}`, {
        method: 'PUT',
        body: definition,
      }),
    /** What breaches next across the agent's groups (one indexed Query per group on the server). */
    due: () => api.request<{ groups: string[]; items: SlaView[] }>('/sla/due'),
    /** Stores a calendar (version 0: a new one). */
    saveCalendar: (id: string, input: SaveCalendarInput) =>
      api.request<StoredCalendar>(`/sla/calendars/${encodeURIComponent(id)}`, { method: 'PUT', body: input }),
    /** The clocks of a queue page, in one request. */
    async records(recordIds: readonly string[]): Promise<readonly SlaView[]> {
      if (recordIds.length === 0) return [];
      const ids = recordIds.map(encodeURIComponent).join(',');
      return (await api.request<{ items: SlaView[] }>(`/sla/records?ids=${ids}`)).items;
    },
  };
}

const HOUR = 3_600_000;

/** `2 h 15 min`, `45 min`: business time as agents read it. */
export function formatDuration(ms: number): string {
  const minutes = Math.round(Math.abs(ms) / 60_000);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (ms >= 24 * HOUR) return `${Math.round(minutes / 60)} h`;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

/** The record's most urgent state: breached, due soon (a warning), or due at a time. */
export function urgency(view: SlaView): 'breached' | 'warning' | 'ok' | 'none' {
  const running = view.clocks.filter((c) => c.status === 'running' || c.status === 'paused');
  if (view.clocks.some((c) => c.breached && (c.status === 'running' || c.status === 'paused')))
    return 'breached';
  if (running.some((c) => c.warned)) return 'warning';
  return running.length > 0 ? 'ok' : 'none';
}
