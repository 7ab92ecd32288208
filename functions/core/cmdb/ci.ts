import * as z from 'zod';
import type { AuditSpec } from '../record/audit.ts';
import { type LifecycleTable, movesFrom } from '../record/lifecycle.ts';
import { ActorRef, Label, Person, RecordNumber } from '../record/record.ts';
import { AssetInfo } from './asset.ts';

/**
 * Configuration items (ITIL service configuration management): the services, applications,
 * AWS resources, hardware and software the desk supports, and the typed relations between
 * them from which impact is computed. A CI is a record on the engine (number `CFG…`,
 * versions, history); its class decides which attributes it may carry.
 */

const AccountId = z.string().regex(/^\d{12}$/, 'must be a 12-digit AWS account id');
const Region = z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region such as eu-west-1');
const Short = z.string().trim().min(1).max(200);
const Day = z.iso.date();

/** What every AWS resource carries, whatever its type. */
const aws = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject({ accountId: AccountId, region: Region, resourceType: Short.optional(), ...shape });
/** What every piece of hardware carries. */
const hardware = <T extends z.ZodRawShape>(shape: T) =>
  z.strictObject({
    manufacturer: Short.optional(),
    model: Short.optional(),
    serialNumber: Short.optional(),
    purchaseDate: Day.optional(),
    warrantyEnd: Day.optional(),
    cost: z.number().nonnegative().max(10_000_000).optional(),
    ...shape,
  });

/**
 * The classes of configuration item, each with the zod schema of its attributes. A class
 * not listed here, or an attribute its schema does not name, is refused with a 400.
 */
export const ciClasses = {
  business_service: z.strictObject({
    serviceLevel: Short.optional(),
    /** Whether the service appears on the employees' status page. */
    statusPage: z.boolean().default(true),
  }),
  application: z.strictObject({
    vendor: Short.optional(),
    version: Short.optional(),
    url: z.url().optional(),
  }),
  technical_service: z.strictObject({ description: z.string().max(2000).optional() }),
  aws_lambda_function: aws({ runtime: Short.optional(), memoryMb: z.number().int().positive().optional() }),
  aws_ec2_instance: aws({ instanceType: Short.optional(), privateIp: z.ipv4().optional() }),
  aws_rds_instance: aws({ engine: Short.optional(), instanceClass: Short.optional() }),
  aws_rds_cluster: aws({ engine: Short.optional() }),
  aws_dynamodb_table: aws({ billingMode: Short.optional() }),
  aws_s3_bucket: aws({}),
  aws_load_balancer: aws({ scheme: z.enum(['internet-facing', 'internal']).optional() }),
  aws_vpc: aws({ cidrBlock: Short.optional() }),
  aws_subnet: aws({ cidrBlock: Short.optional(), availabilityZone: Short.optional() }),
  aws_ecs_service: aws({ launchType: Short.optional(), desiredCount: z.number().int().min(0).optional() }),
  aws_api: aws({ protocol: z.enum(['REST', 'HTTP', 'WEBSOCKET']).optional() }),
  aws_resource: aws({}),
  laptop: hardware({}),
  desktop: hardware({}),
  server: hardware({ cpuCores: z.number().int().positive().optional() }),
  mobile_phone: hardware({
    phoneNumber: z
      .string()
      .regex(/^\+?[0-9 ()-]{5,20}$/, 'must be a phone number')
      .optional(),
    enrolment: z.enum(['enrolled', 'pending', 'not_enrolled']).optional(),
  }),
  tablet: hardware({ enrolment: z.enum(['enrolled', 'pending', 'not_enrolled']).optional() }),
  network_device: hardware({ managementIp: z.ipv4().optional() }),
  software: z.strictObject({ vendor: Short.optional(), version: Short.optional() }),
  licence: z.strictObject({
    vendor: Short.optional(),
    seats: z.number().int().positive().optional(),
    expiresOn: Day.optional(),
  }),
} as const satisfies Record<string, z.ZodType>;

export type CiClass = keyof typeof ciClasses;
export const CiClass = z.enum(Object.keys(ciClasses) as [CiClass, ...CiClass[]]);

/** Classes that are AWS resources (discovery fills them). */
export const isAwsClass = (ciClass: CiClass): boolean => ciClass.startsWith('aws_');

export const CiStatus = z.enum(['planned', 'in_service', 'maintenance', 'retired']);
export type CiStatus = z.infer<typeof CiStatus>;

/** Who moves a CI: people editing the CMDB, and discovery (a resource deleted in AWS retires its CI). */
export type CiRole = 'editor' | 'discovery';

/** planned → in service ⇄ maintenance → retired; a retired CI comes back when it is seen again. */
export const ciLifecycle: LifecycleTable<CiStatus, CiRole> = {
  states: CiStatus.options,
  initial: 'planned',
  roles: ['editor', 'discovery'],
  moves: movesFrom<CiStatus, CiRole>(
    {
      planned: ['in_service', 'retired'],
      in_service: ['maintenance', 'retired'],
      maintenance: ['in_service', 'retired'],
      retired: ['in_service'],
    },
    ['editor', 'discovery'],
  ),
};

export const Environment = z.enum(['production', 'staging', 'test', 'development']);
export const Criticality = z.enum(['critical', 'high', 'medium', 'low']);
export type Criticality = z.infer<typeof Criticality>;

/** Where a CI came from: entered by hand, imported, or discovered (AWS Config). */
export const CiSource = z.enum(['manual', 'import', 'aws-config']);

/** An external identity: an ARN, a serial number. Unique: one CI per external id. */
export const ExternalId = z.string().trim().min(1).max(1000);

const Tags = z
  .record(z.string().min(1).max(128), z.string().max(256))
  .refine((tags) => Object.keys(tags).length <= 50, 'at most 50 tags');

export const ConfigurationItem = z.object({
  id: z.string().min(1).max(64),
  number: RecordNumber,
  name: Short,
  class: CiClass,
  status: CiStatus,
  owner: Person.optional(),
  supportGroup: Label.optional(),
  environment: Environment.optional(),
  criticality: Criticality.default('medium'),
  location: Short.optional(),
  tags: Tags.default({}),
  externalId: ExternalId.optional(),
  attributes: z.record(z.string(), z.unknown()).default({}),
  source: CiSource.default('manual'),
  /** Hardware only: the asset's state and open assignment (moved by check-out, return, repair, retire). */
  asset: AssetInfo.optional(),
  retiredAt: z.iso.datetime().optional(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  version: z.number().int().min(1),
});
export type ConfigurationItem = z.infer<typeof ConfigurationItem>;

/** An immutable history entry of a CI. */
export const CiAuditEntry = z.object({
  ciId: z.string().min(1).max(64),
  at: z.iso.datetime(),
  actor: ActorRef,
  field: z.string().max(64),
  oldValue: z.unknown().optional(),
  newValue: z.unknown().optional(),
  reason: z.string().max(2000).optional(),
});
export type CiAuditEntry = z.infer<typeof CiAuditEntry>;

/** What the history of a CI follows. */
export const ciAudit: AuditSpec<ConfigurationItem> = [
  'name',
  'status',
  { field: 'owner', value: (ci) => ci.owner?.email },
  'supportGroup',
  'environment',
  'criticality',
  'location',
  'tags',
  'externalId',
  'attributes',
  { field: 'assetState', value: (ci) => ci.asset?.state },
];

/**
 * Validates a class's attributes; problems are named `attributes.<field>` (or the given
 * prefix) so a 400 tells which one and why. Returns them with the schema's defaults applied.
 */
export function parseAttributes(
  ciClass: CiClass,
  attributes: unknown,
  prefix = 'attributes',
):
  | { readonly ok: true; readonly value: Record<string, unknown> }
  | { readonly ok: false; readonly problems: { path: string; message: string }[] } {
  const result = ciClasses[ciClass].safeParse(attributes ?? {});
  if (result.success) return { ok: true, value: result.data as Record<string, unknown> };
  return {
    ok: false,
    problems: result.error.issues.flatMap((issue) => {
      const base = [prefix, ...issue.path.map(String)].join('.');
      if (issue.code === 'unrecognized_keys')
        return issue.keys.map((key) => ({
          path: `${base}.${key}`,
          message: `is not an attribute of class ${ciClass}`,
        }));
      return [{ path: base, message: issue.message }];
    }),
  };
}

// ——— relations ———

/**
 * How two CIs relate, read as "from <type> to": an application `depends_on` a database, a
 * function `runs_on` a VPC subnet, a server `member_of` a cluster, a service `used_by` a team's
 * application.
 */
export const RelationType = z.enum([
  'depends_on',
  'runs_on',
  'hosted_on',
  'connects_to',
  'member_of',
  'used_by',
]);
export type RelationType = z.infer<typeof RelationType>;

/**
 * Which way a failure travels along a relation: to the `from` side (an application fails when
 * the database it depends on fails), to the `to` side (a cluster degrades when a member fails;
 * whoever a service is used by suffers with it), or both (two connected systems).
 */
export const impactFlow: Readonly<Record<RelationType, 'to_from' | 'to_to' | 'both'>> = {
  depends_on: 'to_from',
  runs_on: 'to_from',
  hosted_on: 'to_from',
  connects_to: 'both',
  member_of: 'to_to',
  used_by: 'to_to',
};

/** A CI as a relation names it: enough to draw and list it without reading it. */
export const CiRef = z.object({
  id: z.string().min(1).max(64),
  number: RecordNumber,
  name: Short,
  class: CiClass,
});
export type CiRef = z.infer<typeof CiRef>;

export const ciRef = (ci: ConfigurationItem): CiRef => ({
  id: ci.id,
  number: ci.number,
  name: ci.name,
  class: ci.class,
});

/** A stored relation, readable from both of its CIs with one Query each. */
export const CiRelation = z.object({
  type: RelationType,
  from: CiRef,
  to: CiRef,
  source: CiSource.default('manual'),
  createdAt: z.iso.datetime(),
  createdBy: ActorRef,
});
export type CiRelation = z.infer<typeof CiRelation>;
