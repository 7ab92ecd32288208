import { readFileSync } from 'node:fs';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import * as z from 'zod';

/**
 * The per-account, per-stage configuration of a Spoke deployment (DESIGN §8). One JSON file
 * per account is validated here before the stack is built, so a typo fails the synth with
 * the field that is wrong instead of deploying a half-configured service desk.
 */

const retentionDays = new Set<number>(Object.values(RetentionDays).filter((v) => typeof v === 'number'));

export const spokeConfigSchema = z
  .object({
    /** Deployment stage, part of every physical name, e.g. `prod`. */
    stage: z
      .string()
      .regex(/^[a-z][a-z0-9-]{1,15}$/, 'lowercase letters, digits and dashes, 2-16 characters'),
    /** The AWS account the config is meant for; `cdk deploy` refuses any other. */
    account: z.string().regex(/^\d{12}$/, 'a 12-digit AWS account id'),
    /** Region of the stack; SES inbound must be available there. */
    region: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'an AWS region such as eu-west-1'),
    company: z.object({ name: z.string().min(1) }).strict(),
    support: z
      .object({
        /** Addresses employees write to; the receipt rule accepts exactly these. The first is the reply address. */
        addresses: z.tuple([z.email()], z.email()),
        /** The From of every mail Spoke sends: an SES-verified identity. */
        mailFrom: z.email(),
      })
      .strict(),
    /** A custom portal domain; without it the portal is served on the CloudFront domain. */
    portal: z
      .object({
        domainName: z.string().regex(/^([a-z0-9-]+\.)+[a-z]{2,}$/, 'a DNS name such as help.example.com'),
        /** ACM certificate for `domainName`, which CloudFront requires in us-east-1. */
        certificateArn: z
          .string()
          .regex(
            /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[\w-]+$/,
            'an ACM certificate ARN in us-east-1',
          ),
      })
      .strict()
      .optional(),
    auth: z
      .object({
        /** Prefix of the Cognito managed login domain (`<prefix>.auth.<region>.amazoncognito.com`). */
        domainPrefix: z
          .string()
          .regex(/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/, 'lowercase letters, digits and dashes'),
        /**
         * Cognito threat protection (Plus feature plan, billed per monthly active user).
         * @default false
         */
        threatProtection: z.boolean().default(false),
      })
      .strict(),
    /** Where CloudWatch alarms are mailed (an SNS e-mail subscription, confirmed by the recipient). */
    alarms: z.object({ email: z.email().optional() }).strict().default({}),
    retention: z
      .object({
        /** Days CloudWatch keeps function, API and workflow logs; one of the values CloudWatch accepts. */
        logDays: z
          .number()
          .refine((days) => retentionDays.has(days), 'a CloudWatch Logs retention (e.g. 30, 90, 365)'),
      })
      .strict(),
  })
  .strict();

export type SpokeConfig = z.output<typeof spokeConfigSchema>;

/** A config file that cannot be used; the message names the file, each field path and why. */
export class SpokeConfigError extends Error {
  override name = 'SpokeConfigError';
}

/** The physical-name prefix of a deployment, shared with the local cloud (`tableName(prefix, …)`). */
export const resourcePrefix = (config: Pick<SpokeConfig, 'stage'>): string => `spoke-${config.stage}`;

/** Validates an already-parsed config object; `source` names it in the error. */
export function parseConfig(value: unknown, source: string): SpokeConfig {
  const result = spokeConfigSchema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map(
    (issue) => `  ${issue.path.join('.') || '(root)'}: ${issue.message}`,
  );
  throw new SpokeConfigError(`Invalid Spoke config ${source}:\n${problems.join('\n')}`, {
    cause: result.error,
  });
}

/** Reads and validates a config file, as given with `cdk synth -c config=<path>`. */
export function loadConfig(path: string): SpokeConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (cause) {
    throw new SpokeConfigError(`Cannot read Spoke config ${path}`, { cause });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new SpokeConfigError(`Spoke config ${path} is not valid JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  return parseConfig(value, path);
}
