/**
 * Regions where Amazon SES receives mail (a receipt rule set and an `inbound-smtp.<region>`
 * endpoint for the MX record). SES sends in more regions than it receives in, and Spoke needs
 * both in its stack's region: a config for any other region is refused by the schema.
 *
 * Source: the "Email receiving endpoints" table of "Amazon Simple Email Service endpoints and
 * quotas" in the AWS General Reference (https://docs.aws.amazon.com/general/latest/gr/ses.html),
 * as of December 2026, checked against deployments whose MX records name these endpoints. AWS
 * adds receiving regions from time to time: add a region here when it appears in that table.
 */
export const sesReceivingRegions = [
  'us-east-1',
  'us-east-2',
  'us-west-1',
  'us-west-2',
  'ca-central-1',
  'sa-east-1',
  'eu-west-1',
  'eu-west-2',
  'eu-west-3',
  'eu-central-1',
  'eu-north-1',
  'eu-south-1',
  'ap-south-1',
  'ap-northeast-1',
  'ap-northeast-2',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
] as const;

export type SesReceivingRegion = (typeof sesReceivingRegions)[number];

export const receivesMail = (region: string): region is SesReceivingRegion =>
  (sesReceivingRegions as readonly string[]).includes(region);
