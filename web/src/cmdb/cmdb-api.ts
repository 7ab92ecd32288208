/**
 * The CMDB API as the portal sees it. Records are the server's own zod types, imported
 * type-only: nothing of the server is bundled, and a renamed class or field fails the build.
 */
import type {
  CiAuditEntry,
  CiClass,
  CiRelation,
  CiStatus,
  ConfigurationItem,
  Criticality,
  RelationType,
} from '../../../functions/core/cmdb/ci.ts';
import type { ImpactDirection } from '../../../functions/core/cmdb/impact.ts';
import type { ImpactAnalysis } from '../../../functions/core/cmdb/impact-service.ts';
import type { CiWithRelations } from '../../../functions/ports/cmdb-store.ts';
import type { Api } from '../shared/api.ts';
import type { Page } from '../shared/types.ts';

export type {
  CiAuditEntry,
  CiClass,
  CiRelation,
  CiStatus,
  ConfigurationItem,
  Criticality,
  ImpactAnalysis,
  ImpactDirection,
  RelationType,
};
export type CiView = CiWithRelations;

export const classLabels: Record<CiClass, string> = {
  business_service: 'Business service',
  application: 'Application',
  technical_service: 'Technical service',
  aws_lambda_function: 'AWS Lambda function',
  aws_ec2_instance: 'AWS EC2 instance',
  aws_rds_instance: 'AWS RDS instance',
  aws_rds_cluster: 'AWS RDS cluster',
  aws_dynamodb_table: 'AWS DynamoDB table',
  aws_s3_bucket: 'AWS S3 bucket',
  aws_load_balancer: 'AWS load balancer',
  aws_vpc: 'AWS VPC',
  aws_subnet: 'AWS subnet',
  aws_ecs_service: 'AWS ECS service',
  aws_api: 'AWS API Gateway API',
  aws_resource: 'AWS resource (other)',
  laptop: 'Laptop',
  desktop: 'Desktop',
  server: 'Server',
  mobile_phone: 'Mobile phone',
  tablet: 'Tablet',
  network_device: 'Network device',
  software: 'Software',
  licence: 'Licence',
};

export const statusLabels: Record<CiStatus, string> = {
  planned: 'Planned',
  in_service: 'In service',
  maintenance: 'Maintenance',
  retired: 'Retired',
};

export const relationLabels: Record<RelationType, { readonly out: string; readonly in: string }> = {
  depends_on: { out: 'depends on', in: 'is depended on by' },
  runs_on: { out: 'runs on', in: 'runs' },
  hosted_on: { out: 'is hosted on', in: 'hosts' },
  connects_to: { out: 'connects to', in: 'is connected from' },
  member_of: { out: 'is a member of', in: 'has member' },
  used_by: { out: 'is used by', in: 'uses' },
};

const query = (params: Record<string, string | undefined>) =>
  new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
  ).toString();
const path = (id: string) => `/cis/${encodeURIComponent(id)}`;

export function cmdbApi(api: Api) {
  return {
    list: (params: { class?: CiClass; status?: CiStatus; q?: string; cursor?: string }) =>
      api.request<Page<ConfigurationItem>>(`/cis?${query(params)}`),
    get: (id: string) => api.request<CiView>(path(id)),
    byNumber: (number: string) =>
      api.request<ConfigurationItem>(`/cis/by-number/${encodeURIComponent(number)}`),
    update: (id: string, edit: Record<string, unknown>) =>
      api.request<ConfigurationItem>(path(id), { method: 'PATCH', body: edit }),
    relate: (id: string, relation: { type: RelationType; to: string }) =>
      api.request<CiRelation>(`${path(id)}/relations`, { method: 'POST', body: relation }),
    impact: (id: string, params: { direction: ImpactDirection; depth: number }) =>
      api.request<ImpactAnalysis>(`${path(id)}/impact?${query({ ...params, depth: String(params.depth) })}`),
    myDevices: (cursor?: string) => api.request<Page<ConfigurationItem>>(`/my-devices?${query({ cursor })}`),
    history: (id: string) => api.request<Page<CiAuditEntry>>(`${path(id)}/history`),
  };
}
