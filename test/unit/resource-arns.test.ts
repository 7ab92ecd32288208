import { describe, expect, it } from 'vitest';
import { arnsOfDimensions, arnsOfHealthEntity, arnsOfParameters } from '#core/operations/resource-arns.ts';

/** From what AWS events name to the ARNs the CMDB keeps as external ids. */
const place = { account: '123456789012', region: 'eu-west-1' };

describe('resource ARNs of AWS events', () => {
  it('turns CloudWatch metric dimensions into the resource ARNs AWS Config records', () => {
    expect(arnsOfDimensions({ FunctionName: 'hr-api' }, place)).toEqual([
      'arn:aws:lambda:eu-west-1:123456789012:function:hr-api',
    ]);
    expect(arnsOfDimensions({ InstanceId: 'i-0abc' }, place)).toEqual([
      'arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc',
    ]);
    expect(arnsOfDimensions({ DBInstanceIdentifier: 'hr-db' }, place)).toEqual([
      'arn:aws:rds:eu-west-1:123456789012:db:hr-db',
    ]);
    expect(arnsOfDimensions({ TableName: 'orders' }, place)).toEqual([
      'arn:aws:dynamodb:eu-west-1:123456789012:table/orders',
    ]);
    expect(arnsOfDimensions({ LoadBalancer: 'app/web/50dc6c495c0c9188' }, place)).toEqual([
      'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188',
    ]);
    expect(arnsOfDimensions({ ClusterName: 'main', ServiceName: 'web' }, place)).toEqual([
      'arn:aws:ecs:eu-west-1:123456789012:service/main/web',
    ]);
    expect(arnsOfDimensions({ Unknown: 'x' }, place)).toEqual([]);
  });

  it('finds the resources of a CloudTrail call however deep its parameters name them', () => {
    const arns = arnsOfParameters(
      {
        instancesSet: { items: [{ instanceId: 'i-1' }, { instanceId: 'i-2' }] },
        roleArn: 'arn:aws:iam::123456789012:role/x',
        queueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/jobs',
      },
      place,
    );

    expect(arns).toEqual(
      expect.arrayContaining([
        'arn:aws:ec2:eu-west-1:123456789012:instance/i-1',
        'arn:aws:ec2:eu-west-1:123456789012:instance/i-2',
        'arn:aws:iam::123456789012:role/x',
        'arn:aws:sqs:eu-west-1:123456789012:jobs',
      ]),
    );
    expect(arns).toHaveLength(4);
  });

  it('reads an AWS Health affected entity by its service, and an ARN as it is', () => {
    expect(arnsOfHealthEntity('hr-db', 'RDS', place)).toContain(
      'arn:aws:rds:eu-west-1:123456789012:db:hr-db',
    );
    expect(arnsOfHealthEntity('i-0abc', 'EC2', place)).toEqual([
      'arn:aws:ec2:eu-west-1:123456789012:instance/i-0abc',
    ]);
    expect(arnsOfHealthEntity('arn:aws:lambda:eu-west-1:1:function:f', 'LAMBDA', place)).toEqual([
      'arn:aws:lambda:eu-west-1:1:function:f',
    ]);
  });
});
