import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { externalModules, projectRoot } from '#infra/spoke-function.ts';

/**
 * Each Lambda bundle stays under this, minified, with the SDK and Powertools left to the runtime
 * and layer. 320 KB since the record engine (issue 12): its entity list and record table add
 * about 10 KB to every function that stores records, and inbound-email stood 0.5 KB under the
 * former 300 KB (postal-mime's and htmlparser2's entity tables are 65 KB of it).
 */
const BUNDLE_BUDGET_BYTES = 320 * 1024;

const handlers = readdirSync(join(projectRoot, 'functions/handlers')).filter((name) => name.endsWith('.ts'));

describe('Lambda bundles', () => {
  it.each(handlers)('bundles %s under 320 KB, with @aws-sdk and Powertools left out', async (handler) => {
    // The options SpokeFunction hands NodejsFunction (infra/spoke-function.ts).
    const result = await build({
      entryPoints: [join(projectRoot, 'functions/handlers', handler)],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      target: 'node24',
      minify: true,
      mainFields: ['module', 'main'],
      external: externalModules,
      metafile: true,
      logLevel: 'silent',
    });
    const [output] = result.outputFiles;
    const bundled = Object.keys(result.metafile.inputs);

    expect(bundled.length).toBeGreaterThan(1);
    expect(output?.contents.byteLength, handler).toBeLessThan(BUNDLE_BUDGET_BYTES);
    expect(bundled.filter((file) => /node_modules\/@aws-(sdk|lambda-powertools)\//.test(file))).toEqual([]);
  });

  it('leaves Powertools to the layer in every function that logs through the telemetry port', async () => {
    const result = await build({
      entryPoints: [join(projectRoot, 'functions/handlers/inbound-email.ts')],
      bundle: true,
      write: false,
      platform: 'node',
      format: 'esm',
      minify: true,
      external: externalModules,
      logLevel: 'silent',
    });

    expect(result.outputFiles[0]?.text).toMatch(/from"@aws-lambda-powertools\/logger"/);
    expect(result.outputFiles[0]?.text).toMatch(/from"@aws-lambda-powertools\/metrics"/);
  });
});
