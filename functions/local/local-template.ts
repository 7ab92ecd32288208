import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { StateMachineDefinition } from 'aws-local-stepfunctions';
import { callbackUrl, signedOutUrl } from '#http/sign-in-urls.ts';

/**
 * The local cloud's plan, read from the CloudFormation template the CDK app synthesizes for a
 * local config (`template-synth.ts`): which functions exist with which environment, the HTTP
 * API's routes, authorizer and throttles, the app client's sign-in URLs, the event rules, the
 * receipt rule and the change approval ASL. Plain data, cached in `.data/cache/` until `infra/`
 * or the lockfile changes, so the local cloud never holds aws-cdk-lib in memory.
 *
 * Values the template only knows once deployed are resolved by fixed rules (README, "Local
 * and AWS"): a table, bus or configuration set is its name; a bucket without a name is
 * `<stack>-<construct path>`; an ARN is built from the logical id in account 000000000000;
 * the app client id is {@link LOCAL_CLIENT_ID}; and two placeholders stand for what only exists
 * at run time, replaced by {@link localize}: the portal's CloudFront domain and the user pool's issuer.
 */

export const LOCAL_ACCOUNT = '000000000000';
/** The id the Cognito app client (`Ref` of the UserPoolClient) has locally. */
export const LOCAL_CLIENT_ID = 'spoke-portal-local';
/** Stands for the portal's CloudFront domain: `https://<it>/x` becomes `<local portal origin>/x`. */
export const PORTAL_PLACEHOLDER_ORIGIN = 'https://portal.spoke-local.invalid';
/** Stands for the user pool's issuer (`ProviderURL`): it becomes the local identity provider's issuer. */
export const ISSUER_PLACEHOLDER = 'https://issuer.spoke-local.invalid';

/** A state machine as synthesized (the change approval, the catalog request workflow). */
export interface SynthesizedWorkflow {
  readonly definition: StateMachineDefinition;
  readonly source: { readonly stackName: string; readonly logicalId: string };
  /** Lambda function ARN (local) → the logical id of the function it runs. */
  readonly functionsByArn: Readonly<Record<string, string>>;
  readonly region: string;
  readonly stateMachineName: string;
}

/** One `SpokeFunction`: its handler module and the `Environment.Variables` of its resource. */
export interface TemplateFunction {
  readonly logicalId: string;
  /** The handler module, relative to the repository root (`functions/handlers/api.ts`). */
  readonly entry: string;
  readonly arn: string;
  readonly environment: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Retries of a failed asynchronous invocation (`EventInvokeConfig`). @default 2 */
  readonly retryAttempts?: number;
  /** The function's `DeadLetterConfig` queue (its name locally): failed asynchronous events go there. */
  readonly deadLetterQueue?: string;
}

export interface TemplateRoute {
  /** `METHOD /path`, `ANY /api/{proxy+}` or `$default`. */
  readonly routeKey: string;
  /** The integration's function (logical id). */
  readonly functionId: string;
  /** The JWT authorizer, or none for a public route. */
  readonly authorizer?: { readonly issuer: string; readonly audience: readonly string[] };
}

export interface Throttle {
  readonly rateLimit: number;
  readonly burstLimit: number;
}

export interface TemplateHttpApi {
  readonly logicalId: string;
  readonly routes: readonly TemplateRoute[];
  /** The stage's `DefaultRouteSettings` throttle. */
  readonly throttle?: Throttle;
  /** Per-route throttles (`RouteSettings`), by route key. */
  readonly routeThrottles: Readonly<Record<string, Throttle>>;
}

/** One target of an event rule: a function, invoked asynchronously as EventBridge does. */
export interface TemplateEventTarget {
  readonly functionId: string;
  /** The target's `DeadLetterConfig` queue (its name locally), for events it could not deliver. */
  readonly deadLetterQueue?: string;
}

export interface TemplateEventRule {
  readonly logicalId: string;
  /** The bus it listens on: `default` (where AWS services send) or the custom bus's name. */
  readonly eventBus: string;
  /** The rule's `EventPattern` as synthesized, matched by `event-pattern.ts`. */
  readonly pattern: Readonly<Record<string, unknown>>;
  readonly targets: readonly TemplateEventTarget[];
  /** The targets' functions (logical ids). */
  readonly functionIds: readonly string[];
}

/** A scheduled rule (`rate(…)`) and the functions it invokes. */
export interface TemplateSchedule {
  readonly logicalId: string;
  readonly everySeconds: number;
  readonly functionIds: readonly string[];
}

/**
 * The EventBridge Scheduler side of the template: the schedule group, and per role the
 * scheduler may assume (trust `scheduler.amazonaws.com`), the functions its policies let it
 * invoke. Schedules themselves are created at run time by the functions.
 */
export interface TemplateScheduler {
  readonly groupNames: readonly string[];
  /** Role ARN (local) → logical ids of the functions it may invoke. */
  readonly roles: Readonly<Record<string, readonly string[]>>;
}

/** A DynamoDB stream → Lambda event source mapping (`AWS::Lambda::EventSourceMapping`). */
export interface TemplateStreamMapping {
  readonly logicalId: string;
  readonly table: string;
  readonly functionId: string;
  readonly batchSize: number;
  readonly startingPosition: 'TRIM_HORIZON' | 'LATEST';
  /** `FilterCriteria.Filters[].Pattern`, as JSON strings. */
  readonly filters: readonly string[];
  readonly maximumRetryAttempts: number;
}

export interface TemplateBucket {
  readonly name: string;
  readonly cors: readonly {
    readonly allowedOrigins: readonly string[];
    readonly allowedMethods: readonly string[];
    readonly allowedHeaders: readonly string[];
    readonly exposedHeaders: readonly string[];
    readonly maxAge?: number;
  }[];
}

export interface LocalTemplate {
  readonly stackName: string;
  readonly region: string;
  readonly functions: Readonly<Record<string, TemplateFunction>>;
  readonly httpApi: TemplateHttpApi;
  /** The user-pool client's `CallbackURLs` and `LogoutURLs`. */
  readonly portalClient: {
    readonly clientId: string;
    readonly callbackUrls: readonly string[];
    readonly logoutUrls: readonly string[];
  };
  readonly eventRules: readonly TemplateEventRule[];
  readonly schedules: readonly TemplateSchedule[];
  readonly streamMappings: readonly TemplateStreamMapping[];
  readonly scheduler: TemplateScheduler;
  /** The SES receipt rule: recipients, where the S3 action stores raw mail, and the function it invokes. */
  readonly receiptRule: {
    readonly recipients: readonly string[];
    readonly bucket: string;
    readonly prefix: string;
    readonly functionId: string;
  };
  readonly tables: readonly string[];
  /** The custom event buses by name (the domain events' bus among them). */
  readonly eventBuses: readonly string[];
  readonly buckets: readonly TemplateBucket[];
  /** SSM parameters by (local) name, with the value the template gives them. */
  readonly parameters: Readonly<Record<string, string>>;
  readonly workflow: SynthesizedWorkflow;
  /** The catalog request state machine as synthesized. */
  readonly catalogWorkflow: SynthesizedWorkflow;
  /** The release go/no-go state machine as synthesized. */
  readonly releaseWorkflow: SynthesizedWorkflow;
}

/** What only exists once the local cloud runs. */
export interface LocalOrigins {
  /** The local portal host, e.g. `http://127.0.0.1:3000`. */
  readonly portal: string;
  /** The local identity provider's issuer. */
  readonly issuer: string;
}

/**
 * The one translation rule from the template's deployed values to local ones: the portal's
 * CloudFront origin becomes the local portal origin, the user pool's issuer the local identity
 * provider's; nothing else changes.
 */
export function localize<T>(value: T, origins: LocalOrigins): T {
  return JSON.parse(
    JSON.stringify(value)
      .replaceAll(PORTAL_PLACEHOLDER_ORIGIN, origins.portal)
      .replaceAll(ISSUER_PLACEHOLDER, origins.issuer),
  ) as T;
}

/**
 * The sign-in URLs the portal sends (`#http/sign-in-urls.ts`) must be registered on the app
 * client, or Cognito answers `redirect_mismatch`: refuse to start a local cloud built from a
 * template where that would happen, naming both sides.
 */
export function checkPortalSignIn(template: LocalTemplate, portalOrigin: string): void {
  const client = localize(template.portalClient, { portal: portalOrigin, issuer: ISSUER_PLACEHOLDER });
  const problems = [
    !client.callbackUrls.includes(callbackUrl(portalOrigin)) &&
      `its CallbackURLs are ${JSON.stringify(client.callbackUrls)} but the portal sends redirect_uri ${callbackUrl(portalOrigin)}`,
    !client.logoutUrls.includes(signedOutUrl(portalOrigin)) &&
      `its LogoutURLs are ${JSON.stringify(client.logoutUrls)} but the portal signs out to ${signedOutUrl(portalOrigin)}`,
  ].filter(Boolean);
  if (problems.length > 0) {
    throw new Error(
      `The Cognito app client in the synthesized template does not match the portal: ${problems.join('; ')}. Sign-in would fail in AWS too (redirect_mismatch).`,
    );
  }
}

/** The function a handler module runs as, by its entry (`functions/handlers/api.ts`). */
export function functionByEntry(template: LocalTemplate, entry: string): TemplateFunction {
  const found = Object.values(template.functions).find((fn) => fn.entry === entry);
  if (!found) throw new Error(`The synthesized template has no function running ${entry}`);
  return found;
}

/**
 * A function's environment as the local cloud gives it, by handler entry, for tools that run a
 * handler outside the local cloud (the benchmarks): read from the same template, never written by hand.
 */
export async function localFunctionEnvironment(
  entry: string,
  origins: LocalOrigins,
): Promise<Record<string, string>> {
  return { ...functionByEntry(localize(await loadLocalTemplate(), origins), entry).environment };
}

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** Where the synthesized template is kept between runs (shared by `npm start` and the tests' clouds). */
export const TEMPLATE_CACHE_DIR = join(repoRoot, 'node_modules', '.cache', 'spoke-local');

/** Everything synthesis depends on: the infrastructure code, the handler list and the locked packages. */
async function synthesisInputsHash(): Promise<string> {
  const hash = createHash('sha256').update(repoRoot);
  const infra = (await readdir(join(repoRoot, 'infra'), { recursive: true }))
    .filter((f) => f.endsWith('.ts') || f.endsWith('.json'))
    .sort();
  for (const file of infra) hash.update(file).update(await readFile(join(repoRoot, 'infra', file)));
  for (const file of [
    'functions/local/template-synth.ts',
    'functions/http/sign-in-urls.ts',
    'package-lock.json',
  ])
    hash.update(await readFile(join(repoRoot, file)));
  hash.update((await readdir(join(repoRoot, 'functions/handlers'))).sort().join());
  return hash.digest('hex').slice(0, 16);
}

/**
 * The local template: from the cache when the infrastructure code is unchanged, else from
 * `template-synth.ts` in a child process (about 3 s), so aws-cdk-lib never sits in the local
 * cloud's memory. With `cacheDir` false it synthesizes in this process.
 */
export async function loadLocalTemplate(
  cacheDir: string | false = TEMPLATE_CACHE_DIR,
): Promise<LocalTemplate> {
  if (!cacheDir) return (await import('./template-synth.ts')).synthesizeLocalTemplate();
  const file = join(cacheDir, `template-${await synthesisInputsHash()}.json`);
  const cached = await readFile(file, 'utf8').catch(() => undefined);
  if (cached) return JSON.parse(cached) as LocalTemplate;
  const { stdout } = await promisify(execFile)(
    process.execPath,
    [join(repoRoot, 'functions/local/template-synth.ts')],
    { cwd: repoRoot, maxBuffer: 64 * 1024 * 1024 },
  );
  const template = JSON.parse(stdout) as LocalTemplate;
  await mkdir(cacheDir, { recursive: true });
  // Written aside and renamed: two clouds starting together never read half a file.
  const partial = `${file}.${process.pid}.tmp`;
  await writeFile(partial, stdout);
  await rename(partial, file);
  return template;
}
