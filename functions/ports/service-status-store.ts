import type { MeTooPress, ServiceStatus } from '#core/cmdb/service-status.ts';

/** Where the status page's items live: one per business service, and the "me too" presses. */
export interface ServiceStatusStore {
  /** Every status item: one Query of one partition (a few hundred services at most). */
  list(): Promise<ServiceStatus[]>;
  get(serviceId: string): Promise<ServiceStatus | undefined>;
  /**
   * Writes a status item still at `expectedVersion` (0: must not exist yet); `ConflictError`
   * when another writer got there first.
   */
  put(status: ServiceStatus, expectedVersion: number): Promise<void>;
  /** The services an incident was last counted on. */
  trackedServices(incidentId: string): Promise<string[]>;
  track(incidentId: string, serviceIds: readonly string[]): Promise<void>;
  /** Keeps a press and counts it, once per person and incident; false when the person had pressed. */
  press(press: MeTooPress): Promise<boolean>;
  pressed(incidentId: string, email: string): Promise<boolean>;
  presses(incidentId: string): Promise<number>;
}
