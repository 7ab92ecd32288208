import { rm } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { LOCAL_SUPPORT_ADDRESS, startLocalCloud } from './cloud.ts';
import { DEMO_PASSWORD, demoUsers } from './demo-users.ts';
import { ensurePortalBuilt } from './portal-build.ts';
import { PreflightError } from './preflight.ts';

const usage = `npm start [-- --reset] [-- --no-seed]

Runs Spoke on this machine: DynamoDB Local, the API, the portal, the sign-in page,
the SMTP intake and the SES outbox on 127.0.0.1, with state in .data/.
DynamoDB Local cannot be bound to one address and listens on every interface:
on a shared network, firewall its port (SPOKE_PORT_BASE + 5).

  --reset     wipe .data/ first (all tickets, mail and sign-in keys) and seed demo data again
  --no-seed   do not seed demo data on a fresh .data/
  --help      show this text

Environment: SPOKE_PORT_BASE (default 3000) moves the 3000-3005 ports, SPOKE_SMTP_PORT (default 2525).`;

const started = performance.now();
const { values } = parseArgs({
  options: {
    reset: { type: 'boolean', default: false },
    'no-seed': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const dataDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../.data');
if (values.reset) await rm(dataDir, { recursive: true, force: true });

try {
  if (await ensurePortalBuilt()) console.log('Built the portal into web/dist.');
  const cloud = await startLocalCloud({ dataDir, seed: !values['no-seed'] });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const width = Math.max(...demoUsers.map((u) => u.username.length));
  console.log(`
Spoke is running locally (ready in ${seconds} s). State is kept in ${dataDir}.

  Portal            ${cloud.urls.portal}
  API               ${cloud.urls.api}/api/health
  Sign-in (OIDC)    ${cloud.urls.identity}/.well-known/openid-configuration
  Mail intake       ${cloud.urls.smtp}  (write to ${LOCAL_SUPPORT_ADDRESS})
  Outbox (SES)      ${cloud.urls.outbox}
  S3                ${cloud.urls.s3}
  DynamoDB Local    ${cloud.urls.dynamodb}
  Step Functions    ${cloud.workflows.source.logicalId} (${Object.keys(cloud.workflows.definition.States).length} states, ASL synthesized from the CDK app)

Demo sign-ins (password "${DEMO_PASSWORD}"):
${demoUsers.map((u) => `  ${u.username.padEnd(width)}  ${u.name} <${u.email}>${u.groups.length ? `  groups: ${u.groups.join(', ')}` : ''}`).join('\n')}

Send a mail:  swaks --server 127.0.0.1:${new URL(cloud.urls.smtp).port} --to ${LOCAL_SUPPORT_ADDRESS} --from ${demoUsers[0]?.email}
Stop with Ctrl-C.`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping Spoke…`);
    await cloud.stop();
    console.log('Stopped. Nothing is left running.');
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
} catch (error) {
  if (error instanceof PreflightError) {
    console.error(`Spoke cannot start: ${error.message}`);
  } else {
    console.error('Spoke failed to start:', error);
  }
  process.exit(1);
}
