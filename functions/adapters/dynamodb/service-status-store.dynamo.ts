import type { MeTooPress, ServiceStatus } from '#core/cmdb/service-status.ts';
import { ConflictError } from '#core/shared/errors.ts';
import type { ServiceStatusStore } from '#ports/service-status-store.ts';
import { ConditionFailed, RecordTable, type RecordTableOptions } from './record-table.ts';
import {
  incidentServicesEntity,
  meTooCountEntity,
  meTooPressEntity,
  serviceStatusEntity,
} from './service-status-entities.ts';

/** The status page's items on the record table (keys in `service-status-entities.ts`). */
export class DynamoServiceStatusStore implements ServiceStatusStore {
  readonly #table: RecordTable;

  constructor(options: RecordTableOptions) {
    this.#table = new RecordTable(options);
  }

  async list(): Promise<ServiceStatus[]> {
    const items = await this.#table.queryAll({
      TableName: this.#table.domainTable,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': serviceStatusEntity.partition('primary', {}).value },
      ConsistentRead: true,
    });
    return items.filter(serviceStatusEntity.is).map(serviceStatusEntity.parse);
  }

  async get(serviceId: string): Promise<ServiceStatus | undefined> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: serviceStatusEntity.key({ serviceId }),
      ConsistentRead: true,
    });
    return item ? serviceStatusEntity.parse(item) : undefined;
  }

  async put(status: ServiceStatus, expectedVersion: number): Promise<void> {
    const condition =
      expectedVersion === 0
        ? { expression: 'attribute_not_exists(pk)' }
        : { expression: 'version = :seen', values: { ':seen': expectedVersion } };
    try {
      await this.#table.transact([
        this.#table.put(serviceStatusEntity, serviceStatusEntity.item(status), condition),
      ]);
    } catch (error) {
      if (error instanceof ConditionFailed)
        throw new ConflictError(`The status of ${status.name} was changed meanwhile`, undefined, {
          cause: error,
        });
      throw error;
    }
  }

  async trackedServices(incidentId: string): Promise<string[]> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: incidentServicesEntity.key({ incidentId }),
      ConsistentRead: true,
    });
    return item ? incidentServicesEntity.parse(item).serviceIds : [];
  }

  async track(incidentId: string, serviceIds: readonly string[]): Promise<void> {
    await this.#table.transact([
      this.#table.put(
        incidentServicesEntity,
        incidentServicesEntity.item({ incidentId, serviceIds: [...serviceIds] }),
      ),
    ]);
  }

  async press(press: MeTooPress): Promise<boolean> {
    try {
      await this.#table.transact([
        this.#table.put(meTooPressEntity, meTooPressEntity.item(press), {
          expression: 'attribute_not_exists(pk)',
        }),
        {
          Update: {
            TableName: this.#table.domainTable,
            Key: meTooCountEntity.key({ incidentId: press.incidentId }),
            UpdateExpression: 'ADD presses :one SET incidentId = :id, entity = :entity, #v = :v',
            ExpressionAttributeNames: { '#v': '_v' },
            ExpressionAttributeValues: {
              ':one': 1,
              ':id': press.incidentId,
              ':entity': meTooCountEntity.name,
              ':v': meTooCountEntity.version,
            },
          },
        },
      ]);
      return true;
    } catch (error) {
      if (error instanceof ConditionFailed && error.failedAt(0)) return false;
      throw error;
    }
  }

  async pressed(incidentId: string, email: string): Promise<boolean> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: meTooPressEntity.key({ incidentId, email }),
    });
    return item !== undefined;
  }

  async presses(incidentId: string): Promise<number> {
    const item = await this.#table.get({
      TableName: this.#table.domainTable,
      Key: meTooCountEntity.key({ incidentId }),
      ConsistentRead: true,
    });
    return item ? meTooCountEntity.parse(item).presses : 0;
  }
}
