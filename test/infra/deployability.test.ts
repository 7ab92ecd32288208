import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '#infra/config.ts';
import { createSpokeApp } from '#infra/spoke-app.ts';
import { type CfnResources, createdBefore, stringsIn } from './template-graph.ts';

/**
 * Faults that only show when CloudFormation deploys the template: resources created before
 * what they name, policies that replace a service's default access, names that block a retry.
 * Each test is generic over the template, so a new resource of the same kind is checked too.
 */

interface Synthesized {
  readonly name: string;
  readonly resources: CfnResources;
}

function synthesize(name: string): Synthesized {
  const { app, stack } = createSpokeApp({
    config: loadConfig(`infra/configs/${name}.json`),
    nag: false,
    context: { 'aws:cdk:bundling-stacks': [] },
  });
  const template = app.synth().getStackByName(stack.stackName).template as { Resources: CfnResources };
  return { name, resources: template.Resources };
}

let templates: Synthesized[];

beforeAll(() => {
  templates = ['example', 'minimal'].map(synthesize);
});

describe('deploy order', () => {
  it('creates every route before any resource that names its route key (stage route settings)', () => {
    for (const { name, resources } of templates) {
      const routes = Object.entries(resources)
        .filter(([, r]) => r.Type === 'AWS::ApiGatewayV2::Route')
        .map(([id, r]) => ({ id, key: r.Properties?.RouteKey as string }));
      const naming = Object.entries(resources).flatMap(([id, resource]) => {
        if (resource.Type === 'AWS::ApiGatewayV2::Route') return [];
        const strings = new Set(stringsIn(resource.Properties ?? {}));
        return routes.filter((route) => strings.has(route.key)).map((route) => ({ id, route }));
      });

      expect(naming.length, name).toBeGreaterThan(0);
      for (const { id, route } of naming) {
        expect(createdBefore(resources, id).has(route.id), `${name}: ${id} names "${route.key}"`).toBe(true);
      }
    }
  });
});
