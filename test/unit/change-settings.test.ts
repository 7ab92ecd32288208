import type { GetParameterCommandOutput, SSMClient } from '@aws-sdk/client-ssm';
import { describe, expect, it } from 'vitest';
import { changeSettings, loadChangeSettings } from '#config/composition-root.ts';
import { changeEnv } from '#config/env.ts';
import { defaultRiskQuestionnaire } from '#core/change/risk.ts';

const env = changeEnv.parse({ LINK_KEY_ID: 'key', CHANGE_SETTINGS_PARAMETER: 'spoke-change-settings' });

/** An SSM client answering GetParameter with `value`, recording the names asked for. */
function ssmAnswering(value: string) {
  const asked: string[] = [];
  const ssm = {
    send: async (command: { input: { Name?: string } }): Promise<GetParameterCommandOutput> => {
      asked.push(String(command.input.Name));
      return { $metadata: {}, Parameter: { Name: command.input.Name, Type: 'String', Value: value } };
    },
  } as unknown as Pick<SSMClient, 'send'>;
  return { ssm, asked };
}

describe('change settings from SSM Parameter Store', () => {
  it('reads service owners and the questionnaire from the parameter the environment names', async () => {
    const { ssm, asked } = ssmAnswering(
      JSON.stringify({
        serviceOwners: { VPN: 'vera@example.com' },
        riskQuestionnaire: defaultRiskQuestionnaire,
      }),
    );

    const stored = await loadChangeSettings(env, ssm);
    const settings = changeSettings(env, stored);

    expect(asked).toEqual(['spoke-change-settings']);
    expect(settings.approval.serviceOwners).toEqual({ VPN: 'vera@example.com' });
    expect(settings.questionnaire).toEqual(defaultRiskQuestionnaire);
  });

  it('fails the cold start naming the parameter when its document is not valid', async () => {
    const { ssm } = ssmAnswering(JSON.stringify({ serviceOwners: { VPN: 'not an address' } }));

    await expect(loadChangeSettings(env, ssm)).rejects.toThrow(
      /spoke-change-settings is not valid change settings/,
    );
  });

  it('uses the inline variables where no parameter is named (the local cloud)', async () => {
    const local = changeEnv.parse({ LINK_KEY_ID: 'local', SERVICE_OWNERS: 'Email=morgan@example.com' });

    const settings = changeSettings(local, await loadChangeSettings(local));

    expect(settings.approval.serviceOwners).toEqual({ Email: 'morgan@example.com' });
  });
});
