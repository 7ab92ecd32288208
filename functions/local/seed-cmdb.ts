import type { RelationType } from '#core/cmdb/ci.ts';
import type { CmdbDeps, CreateCiInput } from '#core/cmdb/cmdb-service.ts';
import { createCi, relateCis } from '#core/cmdb/cmdb-service.ts';
import { addMember, createGroup, type GroupDeps } from '#core/group/group-service.ts';
import type { Actor } from '#core/identity/actor.ts';

const account = { accountId: '123456789012', region: 'eu-west-1' };
const arn = (service: string, rest: string) => `arn:aws:${service}:eu-west-1:123456789012:${rest}`;

/**
 * Demo CMDB of the local cloud — made up, not discovered: three business services, the
 * applications and AWS resources under them, Emma's laptop and phone, two spare laptops in
 * stock, related so the impact
 * of the HR database reaches HR self-service and its owner. In AWS the CMDB is filled by
 * discovery instead; the configuration-managers group (the agent is a member) edits it.
 */
export async function seedCmdbDemo(
  deps: CmdbDeps,
  groups: GroupDeps,
  people: { readonly admin: Actor; readonly agent: Actor; readonly employee: Actor },
): Promise<void> {
  await createGroup(groups, people.admin, {
    id: deps.managerGroup,
    name: 'Configuration managers',
    description: 'Keep the CMDB true',
  });
  await addMember(groups, people.admin, deps.managerGroup, { email: people.agent.email });
  const cis: Record<string, CreateCiInput> = {
    email: { name: 'Email', class: 'business_service', criticality: 'critical', owner: people.admin.email },
    hr: {
      name: 'HR self-service',
      class: 'business_service',
      criticality: 'high',
      owner: 'hannah.hr@example.com',
    },
    vpn: { name: 'VPN', class: 'business_service', criticality: 'critical', supportGroup: 'network' },
    hrPortal: {
      name: 'HR portal',
      class: 'application',
      supportGroup: 'service-desk',
      environment: 'production',
    },
    hrApi: {
      name: 'hr-api',
      class: 'aws_lambda_function',
      externalId: arn('lambda', 'function:hr-api'),
      environment: 'production',
      attributes: { ...account, runtime: 'nodejs24.x', memoryMb: 512 },
    },
    hrDb: {
      name: 'hr-db',
      class: 'aws_rds_instance',
      externalId: arn('rds', 'db:hr-db'),
      environment: 'production',
      criticality: 'high',
      attributes: { ...account, engine: 'postgres', instanceClass: 'db.t4g.medium' },
    },
    vpc: {
      name: 'vpc-main',
      class: 'aws_vpc',
      externalId: arn('ec2', 'vpc/vpc-0a1b2c3d'),
      attributes: { ...account, cidrBlock: '10.0.0.0/16' },
    },
    mail: { name: 'Exchange Online', class: 'application', attributes: { vendor: 'Microsoft' } },
    concentrator: {
      name: 'VPN concentrator',
      class: 'network_device',
      supportGroup: 'network',
      location: 'DC1',
      attributes: { model: 'ASA 5525', serialNumber: 'FTX2231A0BC' },
    },
    laptop: {
      name: 'Laptop of Emma',
      class: 'laptop',
      owner: people.employee.email,
      supportGroup: 'workplace',
      externalId: 'PF3XK2QZ',
      attributes: { manufacturer: 'Lenovo', model: 'ThinkPad T14', serialNumber: 'PF3XK2QZ' },
    },
    phone: {
      name: 'Phone of Emma',
      class: 'mobile_phone',
      owner: people.employee.email,
      externalId: 'serial:R58N91XKQ2',
      attributes: {
        manufacturer: 'Samsung',
        model: 'Galaxy S25',
        serialNumber: 'R58N91XKQ2',
        phoneNumber: '+44 20 7946 0102',
        enrolment: 'enrolled',
      },
    },
    spare1: {
      name: 'Spare laptop 1',
      class: 'laptop',
      supportGroup: 'workplace',
      location: 'IT store room',
      externalId: 'serial:PF4AA001',
      attributes: {
        manufacturer: 'Lenovo',
        model: 'ThinkPad T14',
        serialNumber: 'PF4AA001',
        purchaseDate: '2026-09-01',
        warrantyEnd: '2029-09-01',
        cost: 1290,
      },
    },
    spare2: {
      name: 'Spare laptop 2',
      class: 'laptop',
      supportGroup: 'workplace',
      location: 'IT store room',
      externalId: 'serial:PF4AA002',
      attributes: {
        manufacturer: 'Lenovo',
        model: 'ThinkPad T14',
        serialNumber: 'PF4AA002',
        purchaseDate: '2026-09-01',
        warrantyEnd: '2029-09-01',
        cost: 1290,
      },
    },
  };
  const id: Record<string, string> = {};
  for (const [key, input] of Object.entries(cis)) id[key] = (await createCi(deps, people.admin, input)).id;
  const relations: [string, RelationType, string][] = [
    ['hrPortal', 'depends_on', 'hrApi'],
    ['hrApi', 'depends_on', 'hrDb'],
    ['hrApi', 'runs_on', 'vpc'],
    ['hrDb', 'runs_on', 'vpc'],
    ['hrPortal', 'used_by', 'hr'],
    ['mail', 'used_by', 'email'],
    ['concentrator', 'used_by', 'vpn'],
    ['vpn', 'used_by', 'laptop'],
    ['email', 'used_by', 'laptop'],
  ];
  for (const [from, type, to] of relations)
    await relateCis(deps, people.admin, id[from] as string, { type, to: id[to] as string });
}
