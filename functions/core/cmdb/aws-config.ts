import * as z from 'zod';
import type { CiClass, RelationType } from './ci.ts';

/**
 * AWS Config configuration items as EventBridge delivers them (detail-type "Config
 * Configuration Item Change", source `aws.config`), and how one becomes a CI: its class, name,
 * attributes and relations. Pure: reading an oversized item from S3 is the caller's business.
 */

const Relationship = z.object({
  resourceType: z.string().min(1),
  resourceId: z.string().min(1).optional().nullable(),
  resourceName: z.string().optional().nullable(),
  name: z.string().min(1),
});

export const ConfigItem = z.object({
  configurationItemStatus: z.enum([
    'OK',
    'ResourceDiscovered',
    'ResourceNotRecorded',
    'ResourceDeleted',
    'ResourceDeletedNotRecorded',
  ]),
  resourceType: z.string().regex(/^AWS::[A-Za-z0-9]+::[A-Za-z0-9]+$/, 'must look like AWS::EC2::Instance'),
  resourceId: z.string().min(1),
  resourceName: z.string().nullable().optional(),
  ARN: z.string().startsWith('arn:').max(1000),
  awsAccountId: z.string().regex(/^\d{12}$/),
  awsRegion: z.string().min(1),
  availabilityZone: z.string().nullable().optional(),
  configurationItemCaptureTime: z.string().optional(),
  tags: z.record(z.string(), z.string()).nullable().optional(),
  relationships: z.array(Relationship).nullable().optional(),
  configuration: z.unknown().optional(),
});
export type ConfigItem = z.infer<typeof ConfigItem>;

/** The detail of a "Config Configuration Item Change" event: the item, or a summary with where the whole one is. */
export const ConfigChangeDetail = z.discriminatedUnion('messageType', [
  z.object({ messageType: z.literal('ConfigurationItemChangeNotification'), configurationItem: ConfigItem }),
  z.object({
    messageType: z.literal('OversizedConfigurationItemChangeNotification'),
    configurationItemSummary: z.object({ ARN: z.string(), resourceType: z.string() }),
    s3DeliverySummary: z.object({
      /** `bucket/key` of the full notification. */
      s3BucketLocation: z.string().min(3).includes('/'),
    }),
  }),
]);
export type ConfigChangeDetail = z.infer<typeof ConfigChangeDetail>;

/** The whole notification as Config writes it to S3 for an oversized item. */
export const OversizedNotification = z.object({ configurationItem: ConfigItem });

const classByType: Readonly<Record<string, CiClass>> = {
  'AWS::Lambda::Function': 'aws_lambda_function',
  'AWS::EC2::Instance': 'aws_ec2_instance',
  'AWS::RDS::DBInstance': 'aws_rds_instance',
  'AWS::RDS::DBCluster': 'aws_rds_cluster',
  'AWS::DynamoDB::Table': 'aws_dynamodb_table',
  'AWS::S3::Bucket': 'aws_s3_bucket',
  'AWS::ElasticLoadBalancingV2::LoadBalancer': 'aws_load_balancer',
  'AWS::ElasticLoadBalancing::LoadBalancer': 'aws_load_balancer',
  'AWS::EC2::VPC': 'aws_vpc',
  'AWS::EC2::Subnet': 'aws_subnet',
  'AWS::ECS::Service': 'aws_ecs_service',
  'AWS::ApiGateway::RestApi': 'aws_api',
  'AWS::ApiGatewayV2::Api': 'aws_api',
};

/** The resource types the CMDB has a class for (what the initial load asks Config for). */
export const supportedResourceTypes: readonly string[] = Object.keys(classByType);

export const classOfResourceType = (resourceType: string): CiClass =>
  classByType[resourceType] ?? 'aws_resource';

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value.trim() !== '' ? value.trim().slice(0, 200) : undefined;
const whole = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : undefined;
const compact = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The attributes a class takes, read from the item's `configuration` (only what fits the class schema). */
export function attributesOf(item: ConfigItem, ciClass: CiClass): Record<string, unknown> {
  const c = (item.configuration ?? {}) as Record<string, unknown>;
  const base = { accountId: item.awsAccountId, region: item.awsRegion, resourceType: item.resourceType };
  const ipv4 = (value: unknown) => {
    const v = text(value);
    return v && /^(\d{1,3}\.){3}\d{1,3}$/.test(v) ? v : undefined;
  };
  const specific: Partial<Record<CiClass, Record<string, unknown>>> = {
    aws_lambda_function: { runtime: text(c.runtime), memoryMb: whole(c.memorySize) || undefined },
    aws_ec2_instance: { instanceType: text(c.instanceType), privateIp: ipv4(c.privateIpAddress) },
    aws_rds_instance: { engine: text(c.engine), instanceClass: text(c.dBInstanceClass) },
    aws_rds_cluster: { engine: text(c.engine) },
    aws_dynamodb_table: {
      billingMode: text((c.billingModeSummary as Record<string, unknown> | undefined)?.billingMode),
    },
    aws_load_balancer: {
      scheme: c.scheme === 'internet-facing' || c.scheme === 'internal' ? c.scheme : undefined,
    },
    aws_vpc: { cidrBlock: text(c.cidrBlock) },
    aws_subnet: { cidrBlock: text(c.cidrBlock), availabilityZone: text(item.availabilityZone) },
    aws_ecs_service: { launchType: text(c.launchType), desiredCount: whole(c.desiredCount) },
    aws_api: {
      protocol: c.protocolType === 'HTTP' || c.protocolType === 'WEBSOCKET' ? c.protocolType : undefined,
    },
  };
  return compact({ ...base, ...(specific[ciClass] ?? {}) });
}

/** The CI's name: its `Name` tag, else the resource name, else the resource id. */
export const nameOf = (item: ConfigItem): string =>
  (text(item.tags?.Name) ?? text(item.resourceName) ?? item.resourceId).slice(0, 200);

const arnPatterns: Readonly<
  Record<string, (id: string, name: string, account: string, region: string) => string>
> = {
  'AWS::EC2::VPC': (id, _n, a, r) => `arn:aws:ec2:${r}:${a}:vpc/${id}`,
  'AWS::EC2::Subnet': (id, _n, a, r) => `arn:aws:ec2:${r}:${a}:subnet/${id}`,
  'AWS::EC2::Instance': (id, _n, a, r) => `arn:aws:ec2:${r}:${a}:instance/${id}`,
  'AWS::EC2::SecurityGroup': (id, _n, a, r) => `arn:aws:ec2:${r}:${a}:security-group/${id}`,
  'AWS::EC2::NetworkInterface': (id, _n, a, r) => `arn:aws:ec2:${r}:${a}:network-interface/${id}`,
  'AWS::EC2::Volume': (id, _n, a, r) => `arn:aws:ec2:${r}:${a}:volume/${id}`,
  'AWS::Lambda::Function': (_i, name, a, r) => `arn:aws:lambda:${r}:${a}:function:${name}`,
  'AWS::IAM::Role': (_i, name, a) => `arn:aws:iam::${a}:role/${name}`,
  'AWS::RDS::DBInstance': (_i, name, a, r) => `arn:aws:rds:${r}:${a}:db:${name}`,
  'AWS::DynamoDB::Table': (_i, name, a, r) => `arn:aws:dynamodb:${r}:${a}:table/${name}`,
  'AWS::S3::Bucket': (_i, name) => `arn:aws:s3:::${name}`,
};

/**
 * A relation the item names, as a CI relation from this resource's point of view, with the
 * ARN of the other resource (computed from its type and id, since Config names related
 * resources without their ARN). Undefined when the ARN cannot be known.
 */
export interface DiscoveredRelation {
  readonly type: RelationType;
  /** `out`: this resource <type> the other; `in`: the other <type> this resource. */
  readonly way: 'out' | 'in';
  readonly otherArn: string;
}

function relationOf(name: string): Pick<DiscoveredRelation, 'type' | 'way'> {
  const n = name.toLowerCase();
  if (n.startsWith('is contained in')) return { type: 'runs_on', way: 'out' };
  if (n.startsWith('contains')) return { type: 'runs_on', way: 'in' };
  if (n.startsWith('is attached to') || n.startsWith('is associated with'))
    return { type: 'depends_on', way: 'out' };
  if (n.startsWith('is attached by') || n.startsWith('is associated by'))
    return { type: 'depends_on', way: 'in' };
  return { type: 'connects_to', way: 'out' };
}

export function relationsOf(item: ConfigItem): DiscoveredRelation[] {
  return (item.relationships ?? []).flatMap((r) => {
    const pattern = arnPatterns[r.resourceType];
    const id = r.resourceId ?? '';
    const name = r.resourceName ?? r.resourceId ?? '';
    if (!pattern || !name) return [];
    return [{ ...relationOf(r.name), otherArn: pattern(id, name, item.awsAccountId, item.awsRegion) }];
  });
}

export const isDeleted = (item: ConfigItem): boolean =>
  item.configurationItemStatus === 'ResourceDeleted' ||
  item.configurationItemStatus === 'ResourceDeletedNotRecorded';
