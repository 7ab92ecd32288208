import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalFunctions, startLocalFunctions } from '#local/lambda-runtime.ts';
import type { TemplateFunction } from '#local/local-template.ts';

const probe = (logicalId: string, environment: Record<string, string>): TemplateFunction => ({
  logicalId,
  entry: 'test/fixtures/functions/env-probe.ts',
  arn: `arn:aws:lambda:us-east-1:000000000000:function:${logicalId}`,
  environment,
  timeoutSeconds: 3,
  memoryMb: 128,
});

let functions: LocalFunctions;

beforeAll(async () => {
  // Set in the local cloud's own process: no function may see it.
  process.env.SPOKE_MAIN_THREAD_ONLY = 'leaked';
  const unused = 'http://127.0.0.1:9';
  functions = await startLocalFunctions({
    functions: [probe('Api', { DOMAIN_TABLE: 'api-table' }), probe('Mail', { RAW_MAIL_BUCKET: 'raw' })],
    region: 'us-east-1',
    endpoints: { dynamodb: unused, s3: unused, ses: unused },
    services: {
      publish: async () => undefined,
      workflow: () => {
        throw new Error('no workflow here');
      },
    },
    eager: ['Api'],
  });
});

afterAll(async () => {
  delete process.env.SPOKE_MAIN_THREAD_ONLY;
  await functions?.close();
});

/** What a handler sees; Powertools (loaded by the composition root) adds its SDK user-agent id itself. */
const envOf = async (logicalId: string) => {
  const { env } = (await functions.invoke(logicalId, {})) as { env: Record<string, string> };
  const { AWS_SDK_UA_APP_ID: _addedByPowertools, ...rest } = env;
  return rest;
};

describe('local Lambda service', () => {
  it('gives each function exactly its own environment and the variables Lambda sets, nothing else', async () => {
    const [api, mail] = await Promise.all([envOf('Api'), envOf('Mail')]);

    expect(api).toEqual({
      DOMAIN_TABLE: 'api-table',
      AWS_REGION: 'us-east-1',
      AWS_DEFAULT_REGION: 'us-east-1',
      AWS_LAMBDA_FUNCTION_NAME: 'Api',
      AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
      AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '128',
    });
    expect(mail.RAW_MAIL_BUCKET).toBe('raw');
    expect(mail).not.toHaveProperty('DOMAIN_TABLE');
    expect(api).not.toHaveProperty('SPOKE_MAIN_THREAD_ONLY');
    expect(functions.environment('Mail')).toEqual(mail);
    expect(api).not.toHaveProperty('PATH');
  });

  it('rejects with the handler’s error name, which a Step Functions Catch matches on', async () => {
    await expect(functions.invoke('Api', { fail: 'no such change' })).rejects.toMatchObject({
      name: 'ProbeError',
      message: 'no such change',
    });
  });

  it('refuses a function the template does not have', async () => {
    await expect(functions.invoke('Nope', {})).rejects.toThrow('No function Nope in the template');
  });
});
