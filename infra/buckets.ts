import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type BucketProps,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import type { Construct } from 'constructs';

/**
 * Every bucket of Spoke is private, encrypted, versioned, TLS-only and logged. Building them
 * here keeps that a property of the product instead of a checklist for each construct.
 */
export function privateBucket(
  scope: Construct,
  id: string,
  props: { readonly accessLogs: IBucket } & Pick<BucketProps, 'lifecycleRules'>,
): Bucket {
  return new Bucket(scope, id, {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    versioned: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
    serverAccessLogsBucket: props.accessLogs,
    serverAccessLogsPrefix: `s3/${id}/`,
    lifecycleRules: props.lifecycleRules,
    removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  });
}

/**
 * The bucket that receives S3 server access logs and CloudFront standard logs. CloudFront
 * standard logging still writes with ACLs, hence object ownership "bucket owner preferred".
 */
export function accessLogBucket(scope: Construct, id: string, retentionDays: number): Bucket {
  const bucket = new Bucket(scope, id, {
    blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
    encryption: BucketEncryption.S3_MANAGED,
    enforceSSL: true,
    objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
    lifecycleRules: [{ expiration: Duration.days(retentionDays) }],
    removalPolicy: RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE,
  });
  Validations.of(bucket).acknowledge({
    id: 'AwsSolutions-S1',
    reason:
      'This is the access-log bucket itself; logging it into another bucket would only move the question.',
  });
  return bucket;
}
