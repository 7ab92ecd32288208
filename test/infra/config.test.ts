import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig, parseConfig, SpokeConfigError } from '#infra/config.ts';
import { createSpokeApp, defaultConfigPath } from '#infra/spoke-app.ts';

const example = () => JSON.parse(JSON.stringify(loadConfig(defaultConfigPath))) as Record<string, unknown>;

function writeConfig(value: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'spoke-config-')), 'config.json');
  writeFileSync(path, JSON.stringify(value));
  return path;
}

describe('account config', () => {
  it('accepts the example config', () => {
    expect(loadConfig(defaultConfigPath).company.name).toBe('Example Corp');
  });

  it('names the field path of a bad support address', () => {
    const config = example();
    config.support = { addresses: ['not-an-address'], mailFrom: 'support@help.example.com' };

    expect(() => parseConfig(config, 'bad.json')).toThrow(/support\.addresses\.0: .*email/i);
  });

  it('names a missing field', () => {
    const { retention: _, ...config } = example();

    expect(() => parseConfig(config, 'bad.json')).toThrow(/retention: /);
  });

  it('rejects a log retention CloudWatch does not offer', () => {
    const config = { ...example(), retention: { logDays: 42 } };

    expect(() => parseConfig(config, 'bad.json')).toThrow(/retention\.logDays: a CloudWatch Logs retention/);
  });

  it('rejects unknown fields, which are usually typos', () => {
    const config = { ...example(), stgae: 'prod' };

    expect(() => parseConfig(config, 'bad.json')).toThrow(/stgae/);
  });

  it('fails the app before any stack exists when -c config points at a bad file', () => {
    const path = writeConfig({ ...example(), account: '123' });

    const build = () => createSpokeApp({ context: { config: path }, nag: false });

    expect(build).toThrow(SpokeConfigError);
    expect(build).toThrow(new RegExp(`${path}:\\n  account: a 12-digit AWS account id`));
  });

  it('says which file cannot be read', () => {
    expect(() => loadConfig('infra/configs/missing.json')).toThrow(
      /Cannot read Spoke config infra\/configs\/missing\.json/,
    );
  });
});
