import type { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { type CheckResult, couldNotCheck, ok, todo } from './check.ts';

/**
 * CloudTrail management events reach EventBridge ("AWS API Call via CloudTrail") only where a
 * trail logs them. With `cloudOperations.cloudTrail.enabled` the preflight looks for a trail
 * covering the stack's region (multi-region, or homed there) whose logging is on, and warns when
 * there is none: the deploy goes ahead, but no unapproved change would ever be caught.
 */
export async function checkTrailLogging(
  cloudTrail: Pick<CloudTrailClient, 'send'>,
  target: { readonly region: string; readonly configPath: string },
): Promise<CheckResult> {
  const name = 'cloudtrail';
  const { DescribeTrailsCommand, GetTrailStatusCommand } = await import('@aws-sdk/client-cloudtrail');
  let trails: { name: string; arn: string }[];
  try {
    const answer = await cloudTrail.send(new DescribeTrailsCommand({ includeShadowTrails: true }));
    trails = (answer.trailList ?? [])
      .filter((trail) => trail.IsMultiRegionTrail || trail.HomeRegion === target.region)
      .map((trail) => ({ name: trail.Name ?? '', arn: trail.TrailARN ?? trail.Name ?? '' }));
  } catch (error) {
    return couldNotCheck(name, 'cloudtrail:DescribeTrails', error);
  }
  for (const trail of trails) {
    try {
      const status = await cloudTrail.send(new GetTrailStatusCommand({ Name: trail.arn }));
      if (status.IsLogging)
        return ok(name, `trail ${trail.name} logs ${target.region}: unapproved changes can be caught`);
    } catch (error) {
      return couldNotCheck(name, 'cloudtrail:GetTrailStatus', error);
    }
  }
  return todo(
    name,
    `cloudOperations.cloudTrail.enabled is on in ${target.configPath}, but no trail with logging covers ${target.region}${trails.length > 0 ? ` (${trails.map((t) => t.name).join(', ')} ${trails.length > 1 ? 'are' : 'is'} not logging)` : ''}: CloudTrail sends management events to EventBridge only where a trail logs them, so no unapproved change would be caught. Create one (a multi-region trail's management events are billed once per account beyond the first copy being free):\n` +
      `aws cloudtrail create-trail --name spoke-management-events --s3-bucket-name <a bucket with the CloudTrail bucket policy> --is-multi-region-trail\n` +
      `aws cloudtrail start-logging --name spoke-management-events`,
  );
}
