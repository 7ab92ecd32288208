import { CloudTrailClient, DescribeTrailsCommand, GetTrailStatusCommand } from '@aws-sdk/client-cloudtrail';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { checkTrailLogging } from '#ops/deploy/trail-check.ts';

/** The deploy preflight's CloudTrail check, against CloudTrail answers typed from the SDK. */
const cloudTrail = mockClient(CloudTrailClient);
const target = { region: 'eu-west-1', configPath: 'infra/configs/acme.json' };
const client = () => new CloudTrailClient({ region: 'eu-west-1' });

beforeEach(() => cloudTrail.reset());

describe('the CloudTrail preflight check', () => {
  it('passes with a multi-region trail that is logging', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({
      trailList: [
        {
          Name: 'org-trail',
          TrailARN: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail',
          IsMultiRegionTrail: true,
          HomeRegion: 'us-east-1',
        },
      ],
    });
    cloudTrail
      .on(GetTrailStatusCommand, { Name: 'arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail' })
      .resolves({ IsLogging: true });

    const result = await checkTrailLogging(client(), target);

    expect(result.status).toBe('ok');
    expect(result.message).toContain('org-trail');
  });

  it('warns, naming the trail, when the only trail covering the region has logging off; a trail of another region does not count', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({
      trailList: [
        {
          Name: 'stopped',
          TrailARN: 'arn:aws:cloudtrail:eu-west-1:123456789012:trail/stopped',
          IsMultiRegionTrail: false,
          HomeRegion: 'eu-west-1',
        },
        {
          Name: 'elsewhere',
          TrailARN: 'arn:aws:cloudtrail:us-west-2:123456789012:trail/elsewhere',
          IsMultiRegionTrail: false,
          HomeRegion: 'us-west-2',
        },
      ],
    });
    cloudTrail.on(GetTrailStatusCommand).resolves({ IsLogging: false });

    const result = await checkTrailLogging(client(), target);

    expect(result.status).toBe('todo');
    expect(result.message).toContain('stopped is not logging');
    expect(result.message).not.toContain('elsewhere');
    expect(result.message).toContain('aws cloudtrail start-logging');
    expect(cloudTrail.commandCalls(GetTrailStatusCommand)).toHaveLength(1);
  });

  it('warns when there is no trail at all, naming the config switch', async () => {
    cloudTrail.on(DescribeTrailsCommand).resolves({ trailList: [] });

    const result = await checkTrailLogging(client(), target);

    expect(result.status).toBe('todo');
    expect(result.message).toContain('cloudOperations.cloudTrail.enabled is on in infra/configs/acme.json');
  });

  it('names the call it could not make', async () => {
    cloudTrail
      .on(DescribeTrailsCommand)
      .rejects(Object.assign(new Error('not authorized'), { name: 'AccessDeniedException' }));

    const result = await checkTrailLogging(client(), target);

    expect(result.status).toBe('fix');
    expect(result.message).toContain('cloudtrail:DescribeTrails');
  });
});
