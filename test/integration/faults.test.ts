import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runScenario, type Scenario, type Tally } from '../../bench/chaos.ts';

/**
 * Nothing accepted is lost when parts of the local cloud fail under load: 200 new mails per
 * scenario against the whole cloud in a child process (the same scenarios `npm run chaos`
 * runs with 500). Every mail the intake answered 250 must end as a ticket, a quarantine
 * entry or a dead letter whose raw copy is in S3; none may become two tickets or be
 * acknowledged twice, and no ticket number may be given twice.
 */
const MAILS = 200;
let workDir: string;

beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), 'spoke-faults-'));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

function expectNothingLostOrDoubled(tally: Tally) {
  expect(tally.accepted).toBeGreaterThanOrEqual(MAILS);
  expect(tally.lost, 'accepted mails that became nothing').toEqual([]);
  expect(tally.doubled, 'mails that became two tickets').toEqual([]);
  expect(tally.acknowledgedTwice, 'mails acknowledged twice').toEqual([]);
  expect(tally.duplicateNumbers, 'ticket numbers given twice').toEqual([]);
  expect(tally.deadLettersWithoutRaw, 'dead letters without their raw message').toEqual([]);
}

describe('under faults, every accepted mail is accounted for', { timeout: 300_000 }, () => {
  it('when the cloud process is killed mid-batch and started again', async () => {
    const tally = await runScenario('kill the cloud mid-batch', MAILS, workDir);
    expectNothingLostOrDoubled(tally);
  });

  it('when DynamoDB Local is restarted under load', async () => {
    expectNothingLostOrDoubled(await runScenario('restart DynamoDB Local under load', MAILS, workDir));
  });

  it('when S3 refuses one write in ten', async () => {
    expectNothingLostOrDoubled(await runScenario('S3 refuses 10 % of writes', MAILS, workDir));
  });

  it('when every SES send fails: tickets are opened, no acknowledgement goes out', async () => {
    const tally = await runScenario('SES sends fail' satisfies Scenario, MAILS, workDir);
    expectNothingLostOrDoubled(tally);
    expect(tally.tickets).toBe(tally.accepted);
    expect(tally.acknowledgements).toBe(0);
  });
});
