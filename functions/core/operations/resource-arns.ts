/**
 * From what an AWS event names (a metric's dimensions, a Health event's affected entities, a
 * CloudTrail call's request parameters) to the ARNs the CMDB keeps as external ids (AWS Config
 * discovery stores each resource under its ARN). Each candidate is looked up; the first CI found wins.
 */

export interface Place {
  readonly account: string;
  readonly region: string;
}

type ArnOf = (value: string, place: Place) => string;

const arn = (service: string, rest: string) => (_: string, p: Place) =>
  `arn:aws:${service}:${p.region}:${p.account}:${rest}`;

/** CloudWatch metric dimensions (and CloudTrail parameter names) → the ARN of the resource they name. */
const byName: Readonly<Record<string, ArnOf>> = {
  FunctionName: (v, p) => (v.startsWith('arn:') ? v : arn('lambda', `function:${v}`)(v, p)),
  InstanceId: (v, p) => arn('ec2', `instance/${v}`)(v, p),
  DBInstanceIdentifier: (v, p) => arn('rds', `db:${v}`)(v, p),
  DBClusterIdentifier: (v, p) => arn('rds', `cluster:${v}`)(v, p),
  TableName: (v, p) => arn('dynamodb', `table/${v}`)(v, p),
  // `app/my-alb/50dc6c495c0c9188` as the AWS/ApplicationELB and AWS/NetworkELB dimensions give it.
  LoadBalancer: (v, p) => arn('elasticloadbalancing', `loadbalancer/${v}`)(v, p),
  LoadBalancerName: (v, p) => arn('elasticloadbalancing', `loadbalancer/${v}`)(v, p),
  BucketName: (v) => `arn:aws:s3:::${v}`,
  QueueName: (v, p) => arn('sqs', v)(v, p),
  TopicName: (v, p) => arn('sns', v)(v, p),
  StateMachineArn: (v) => v,
  ApiId: (v, p) => `arn:aws:apigateway:${p.region}::/apis/${v}`,
  ApiName: (v, p) => `arn:aws:apigateway:${p.region}::/restapis/${v}`,
  VpcId: (v, p) => arn('ec2', `vpc/${v}`)(v, p),
  SubnetId: (v, p) => arn('ec2', `subnet/${v}`)(v, p),
  CacheClusterId: (v, p) => arn('elasticache', `cluster:${v}`)(v, p),
};

/** The ARNs a metric's dimensions name; an ECS service needs both its cluster and service names. */
export function arnsOfDimensions(dimensions: Readonly<Record<string, string>>, place: Place): string[] {
  const arns: string[] = [];
  if (dimensions.ClusterName && dimensions.ServiceName)
    arns.push(
      `arn:aws:ecs:${place.region}:${place.account}:service/${dimensions.ClusterName}/${dimensions.ServiceName}`,
    );
  for (const [name, value] of Object.entries(dimensions)) {
    const of = byName[name];
    if (of && value) arns.push(of(value, place));
  }
  return [...new Set(arns)];
}

/** CloudTrail request-parameter names (lower camel case) → the dimension-style names above. */
const parameterNames: Readonly<Record<string, string>> = {
  functionName: 'FunctionName',
  instanceId: 'InstanceId',
  dBInstanceIdentifier: 'DBInstanceIdentifier',
  dBClusterIdentifier: 'DBClusterIdentifier',
  tableName: 'TableName',
  bucketName: 'BucketName',
  loadBalancerArn: 'LoadBalancer',
  queueUrl: 'QueueUrl',
  vpcId: 'VpcId',
  subnetId: 'SubnetId',
};

/**
 * The ARNs a CloudTrail call's request parameters name: every ARN-looking string, and the
 * values of the known resource parameters (however deep: `instancesSet.items[].instanceId`).
 */
export function arnsOfParameters(parameters: unknown, place: Place): string[] {
  const arns = new Set<string>();
  const visit = (value: unknown, key: string | undefined, depth: number) => {
    if (depth > 8) return;
    if (typeof value === 'string') {
      if (value.startsWith('arn:')) arns.add(value);
      const name = key ? parameterNames[key] : undefined;
      if (name === 'QueueUrl') {
        const [, , , account, queue] = value.split('/');
        if (account && queue) arns.add(`arn:aws:sqs:${place.region}:${account}:${queue}`);
      } else if (name && !value.startsWith('arn:')) {
        const of = byName[name];
        if (of) arns.add(of(value, place));
      }
      return;
    }
    if (Array.isArray(value)) for (const item of value) visit(item, key, depth + 1);
    else if (value && typeof value === 'object')
      for (const [k, v] of Object.entries(value)) visit(v, k, depth + 1);
  };
  visit(parameters, undefined, 0);
  return [...arns];
}

/** An AWS Health affected entity: an ARN as is, else an id read by the event's service. */
export function arnsOfHealthEntity(entity: string, service: string, place: Place): string[] {
  if (entity.startsWith('arn:')) return [entity];
  const guesses: Record<string, string[]> = {
    EC2: [entity.startsWith('i-') ? 'InstanceId' : entity.startsWith('vpc-') ? 'VpcId' : 'SubnetId'],
    RDS: ['DBInstanceIdentifier', 'DBClusterIdentifier'],
    LAMBDA: ['FunctionName'],
    DYNAMODB: ['TableName'],
    S3: ['BucketName'],
    ELASTICLOADBALANCING: ['LoadBalancer'],
    ECS: [],
  };
  return (guesses[service.toUpperCase()] ?? [])
    .map((name) => byName[name]?.(entity, place))
    .filter((a): a is string => Boolean(a));
}
