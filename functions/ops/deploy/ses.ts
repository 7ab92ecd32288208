import {
  DescribeActiveReceiptRuleSetCommand,
  type DescribeActiveReceiptRuleSetCommandOutput,
  DescribeReceiptRuleSetCommand,
  type ReceiptRule,
  type SESClient,
  SetActiveReceiptRuleSetCommand,
} from '@aws-sdk/client-ses';
import {
  GetAccountCommand,
  type GetAccountCommandOutput,
  GetEmailIdentityCommand,
  type GetEmailIdentityCommandOutput,
  type SESv2Client,
} from '@aws-sdk/client-sesv2';
import { type CheckResult, couldNotCheck, errorName, fix, ok, todo } from './check.ts';

/**
 * Regions where SES receives mail (its "Email Receiving endpoints", inbound-smtp.<region>),
 * from the AWS General Reference. SES receiving is regional and absent from most regions, and
 * nothing in CloudFormation refuses a receipt rule set where no mail will ever arrive.
 */
export const sesReceivingRegions: readonly string[] = [
  'us-east-1',
  'us-east-2',
  'us-west-2',
  'ca-central-1',
  'eu-west-1',
  'eu-west-2',
  'eu-central-1',
  'ap-southeast-1',
  'ap-southeast-2',
  'ap-southeast-3',
  'ap-northeast-1',
];

/** The stack's own receipt rule set name, as infra/email.ts names it. */
export const receiptRuleSetName = (prefix: string): string => `${prefix}-inbound`;

/** SES receives mail in the stack's region, so the MX record has somewhere to point. */
export function checkSesReceiving(region: string): CheckResult {
  const name = 'ses receiving';
  if (sesReceivingRegions.includes(region))
    return ok(name, `SES receives mail in ${region} (inbound-smtp.${region}.amazonaws.com)`);
  return fix(
    name,
    `SES does not receive mail in ${region}: set "region" in the config to one that does (${sesReceivingRegions.join(', ')})`,
  );
}

/**
 * Production access and the sending quota. In the sandbox SES mails only verified addresses,
 * 200 a day, so acknowledgements, notifications and approval mail to employees fail: the deploy
 * works, the service desk does not. AWS reviews the request by hand, so it is a step to take.
 */
export async function checkSesAccount(
  sesv2: Pick<SESv2Client, 'send'>,
  target: { readonly region: string; readonly portalUrl?: string; readonly company: string },
): Promise<CheckResult> {
  const name = 'ses production access';
  let account: GetAccountCommandOutput;
  try {
    account = await sesv2.send(new GetAccountCommand({}));
  } catch (error) {
    return couldNotCheck(name, 'ses:GetAccount', error);
  }
  const quota = account.SendQuota;
  const quotaText = `quota ${quota?.Max24HourSend ?? '?'} mails a day, ${quota?.MaxSendRate ?? '?'} a second (${quota?.SentLast24Hours ?? 0} sent in the last 24 h)`;
  if (account.SendingEnabled === false || account.EnforcementStatus === 'SHUTDOWN') {
    return todo(
      name,
      `sending is paused in ${target.region} (enforcement status ${account.EnforcementStatus}): read the notice in the SES console's reputation dashboard, fix the cause, then aws sesv2 put-account-sending-attributes --sending-enabled --region ${target.region}`,
    );
  }
  if (!account.ProductionAccessEnabled) {
    const review = account.Details?.ReviewDetails;
    if (review?.Status === 'PENDING') {
      return todo(
        name,
        `SES in ${target.region} is in the sandbox; production access was requested (case ${review.CaseId ?? '?'}) and is under review. Until it is granted Spoke mails only verified addresses (${quotaText})`,
      );
    }
    const website = target.portalUrl ?? 'https://<portal domain>';
    return todo(
      name,
      [
        `SES in ${target.region} is in the sandbox: Spoke can mail only verified addresses (${quotaText})${review?.Status === 'DENIED' ? '; the last request was denied, answer the case in the Support Center' : ''}. Request production access (AWS reviews it, usually within a day):`,
        `aws sesv2 put-account-details --region ${target.region} --production-access-enabled --mail-type TRANSACTIONAL --website-url ${website} --contact-language EN --use-case-description "IT service desk of ${target.company}: acknowledgements and updates to employees who opened a ticket, and approval requests to named approvers. Recipients are our own staff; bounces and complaints are processed automatically and suppressed."`,
      ].join('\n'),
    );
  }
  return ok(name, `production access in ${target.region}, ${quotaText}`);
}

/** The CNAMEs that publish a domain's Easy DKIM tokens. */
const dkimRecords = (domain: string, tokens: readonly string[]) =>
  tokens.map((token) => `${token}._domainkey.${domain} CNAME ${token}.dkim.amazonses.com`);

/**
 * Each support domain's SES identity: verified with DKIM when it should already exist, absent or
 * the stack's own when the stack creates it (an identity created outside the stack makes the
 * stack's AWS::SES::EmailIdentity fail with "already exists").
 */
export async function checkIdentities(
  sesv2: Pick<SESv2Client, 'send'>,
  target: {
    readonly domains: readonly string[];
    readonly mode: 'create' | 'existing';
    /** Domains whose identity the deployed stack owns (its AWS::SES::EmailIdentity resources). */
    readonly ownedByStack: readonly string[];
    readonly region: string;
    readonly configPath: string;
  },
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const domain of target.domains) {
    const name = `ses identity ${domain}`;
    let identity: GetEmailIdentityCommandOutput;
    try {
      identity = await sesv2.send(new GetEmailIdentityCommand({ EmailIdentity: domain }));
    } catch (error) {
      if (errorName(error) !== 'NotFoundException') {
        results.push(couldNotCheck(name, `ses:GetEmailIdentity on ${domain}`, error));
      } else if (target.mode === 'create') {
        results.push(
          ok(
            name,
            'not in SES yet: the stack creates it; publish the DKIM records from the DnsRecord outputs after the deploy',
          ),
        );
      } else {
        results.push(
          fix(
            name,
            `${target.configPath} says support.identities "existing", but ${domain} is not an SES identity in ${target.region}: create and verify it (aws sesv2 create-email-identity --email-identity ${domain} --region ${target.region}), or set support.identities to "create"`,
          ),
        );
      }
      continue;
    }
    if (target.mode === 'create' && !target.ownedByStack.includes(domain)) {
      results.push(
        fix(
          name,
          `${domain} is already an SES identity in ${target.region}, made outside this stack, so creating it fails: set support.identities to "existing" in ${target.configPath} (it is then used as it is), or delete it (aws sesv2 delete-email-identity --email-identity ${domain} --region ${target.region})`,
        ),
      );
      continue;
    }
    const dkim = identity.DkimAttributes?.Status;
    if (identity.VerifiedForSendingStatus && dkim === 'SUCCESS') {
      results.push(ok(name, 'verified, DKIM signing'));
      continue;
    }
    results.push(
      todo(
        name,
        [
          `verified for sending: ${identity.VerifiedForSendingStatus ? 'yes' : 'no'}, DKIM ${dkim ?? 'not set up'}; Spoke cannot send from ${domain} until both are done. Publish these DNS records (SES checks them for 72 hours):`,
          ...dkimRecords(domain, identity.DkimAttributes?.Tokens ?? []),
        ].join('\n'),
      ),
    );
  }
  return results;
}

/** What the account's active receipt rule set means for this stack's own. */
export async function checkReceiptRuleSet(
  ses: Pick<SESClient, 'send'>,
  target: { readonly ruleSetName: string; readonly region: string; readonly activate: boolean },
): Promise<CheckResult> {
  const name = 'receipt rule set';
  let active: DescribeActiveReceiptRuleSetCommandOutput;
  try {
    active = await ses.send(new DescribeActiveReceiptRuleSetCommand({}));
  } catch (error) {
    return couldNotCheck(name, 'ses:DescribeActiveReceiptRuleSet', error);
  }
  const activeName = active.Metadata?.Name;
  if (!activeName) {
    return target.activate
      ? ok(name, `none active in ${target.region}: ${target.ruleSetName} is activated after the deploy`)
      : todo(
          name,
          `none active in ${target.region}: once the MX record points at SES, deploy again with --activate-receipt-rules (or aws ses set-active-receipt-rule-set --rule-set-name ${target.ruleSetName} --region ${target.region}); until then SES receives no mail`,
        );
  }
  if (activeName === target.ruleSetName) return ok(name, `${activeName} is active`);
  return todo(name, mergeInstructions(activeName, active.Rules ?? [], target));
}

/**
 * How to receive Spoke's mail while another application's rule set stays active: SES runs one
 * rule set per region, so activating Spoke's would switch the other one off.
 */
function mergeInstructions(
  activeName: string,
  rules: readonly ReceiptRule[],
  target: { readonly ruleSetName: string; readonly region: string },
): string {
  const ruleNames = rules.map((rule) => rule.Name).join(', ') || 'no rules';
  return [
    `${activeName} (${ruleNames}) is the active rule set in ${target.region}, and SES runs only one per region: activating ${target.ruleSetName} would stop those rules, so the deploy will not do it. Either copy Spoke's rule into ${activeName} after the deploy:`,
    `aws ses describe-receipt-rule-set --rule-set-name ${target.ruleSetName} --region ${target.region} --query 'Rules[0]' > spoke-rule.json`,
    `aws ses create-receipt-rule --rule-set-name ${activeName} --rule file://spoke-rule.json --region ${target.region}`,
    `(repeat after a deploy that changes the rule), or move ${activeName}'s rules elsewhere and activate ${target.ruleSetName}.`,
  ].join('\n');
}

/**
 * Activates the stack's receipt rule set after the deploy, unless another one is active: that
 * is another application's mail, which this command will not switch off.
 */
export async function activateReceiptRuleSet(
  ses: Pick<SESClient, 'send'>,
  target: { readonly ruleSetName: string; readonly region: string },
): Promise<{ readonly activated: boolean; readonly message: string }> {
  const active = await ses.send(new DescribeActiveReceiptRuleSetCommand({}));
  const activeName = active.Metadata?.Name;
  if (activeName === target.ruleSetName) {
    return { activated: true, message: `${target.ruleSetName} was already the active receipt rule set` };
  }
  if (activeName) {
    return { activated: false, message: mergeInstructions(activeName, active.Rules ?? [], target) };
  }
  const own = await ses.send(new DescribeReceiptRuleSetCommand({ RuleSetName: target.ruleSetName }));
  await ses.send(new SetActiveReceiptRuleSetCommand({ RuleSetName: target.ruleSetName }));
  const recipients = (own.Rules ?? []).flatMap((rule) => rule.Recipients ?? []);
  return {
    activated: true,
    message: `${target.ruleSetName} is now the active receipt rule set in ${target.region}; SES accepts mail for ${recipients.join(', ') || 'its rules'}`,
  };
}
