import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../scripts/build.js';
import { loadTemplate, parameterDefaults, type CfnTemplate, type Json, type ParameterValues } from './support/cloudformation.js';
import { resolveValue } from './support/cfn-resolve.js';
import { samTranslate, type TranslateInput } from './support/sam-translate.js';

/**
 * What a deploy publishes for the `live` alias, checked on the template as the SAM transform
 * expands it and with the parameters resolved as CloudFormation resolves them.
 *
 * CloudFormation semantics the checks rely on (CloudFormation User Guide, "Update behaviors of
 * stack resources"; Template Reference, AWS::Lambda::Version):
 * - a resource whose logical id is new is created; one whose logical id disappears is deleted
 *   (or kept: SAM gives its Versions DeletionPolicy Retain);
 * - a resource whose create-only property ("Update requires: Replacement") resolves to a new value
 *   is replaced: the new one is created during the update, the old one deleted at cleanup;
 * - any other property change updates in place, and an unchanged resource is left alone.
 * Creating an AWS::Lambda::Version calls PublishVersion on the function as updated by the same
 * deploy (the Version refers to the function, so it comes after it). So the alias gets a new
 * version exactly when the Version's logical id or a create-only property's value changes.
 */
const TEMPLATE = join(REPO_ROOT, 'template.yaml');
const source = loadTemplate(TEMPLATE);
const defaults = parameterDefaults(source);

/** AWS::Lambda::Version's createOnlyProperties (its CloudFormation resource schema, as cfn-lint bundles it). */
const VERSION_CREATE_ONLY = ['FunctionName', 'Description', 'CodeSha256', 'ProvisionedConcurrencyConfig', 'RuntimePolicy'];

const CODE = 's3://deploy-bucket/alb-retry-proxy/0123456789abcdef0123456789abcdef';
const ORIGIN = { OriginUrl: 'https://hosp.internal:8443' };

/** The version the alias points at after a deploy: the Version's logical id and its create-only values. */
interface Published {
  readonly logicalId: string;
  readonly createOnly: string;
  readonly description: string;
  readonly functionDescription: string;
}

function published(translated: CfnTemplate, values: ParameterValues): Published {
  const resources = Object.entries(translated.Resources);
  const versions = resources.filter(([, r]) => r.Type === 'AWS::Lambda::Version');
  expect(versions).toHaveLength(1);
  const [logicalId, version] = versions[0]!;
  const [aliasId, alias] = resources.find(([, r]) => r.Type === 'AWS::Lambda::Alias')!;
  // The alias follows the Version, and the ALB calls the alias.
  expect(alias.Properties?.FunctionVersion).toEqual({ 'Fn::GetAtt': [logicalId, 'Version'] });
  expect(translated.Resources.RetryProxyTargetGroup!.Properties?.Targets).toEqual([{ Id: { Ref: aliasId } }]);
  const createOnly = Object.fromEntries(
    VERSION_CREATE_ONLY.filter((p) => version.Properties?.[p] !== undefined).map((p) => [p, resolveValue(translated, version.Properties![p]!, values)]),
  );
  return {
    logicalId,
    createOnly: JSON.stringify(createOnly),
    description: String(createOnly.Description ?? ''),
    functionDescription: String(resolveValue(translated, translated.Resources.RetryProxyFunction!.Properties!.Description!, values)),
  };
}

/** True when deploying `after` over a stack deployed with `before` creates a new Version. */
const publishesNewVersion = (before: Published, after: Published): boolean =>
  before.logicalId !== after.logicalId || before.createOnly !== after.createOnly;

/** The parameters whose values reach the function: its Refs, and the Refs of the conditions its Fn::If use. */
function functionParameters(template: CfnTemplate): string[] {
  const found = new Set<string>();
  const walk = (node: Json | undefined): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    for (const [key, value] of Object.entries(node)) {
      if (key === 'Ref' && typeof value === 'string' && template.Parameters[value]) found.add(value);
      if (key === 'Fn::If' && Array.isArray(value)) walk(template.Conditions[String(value[0])]);
      if (key === 'Condition' && typeof value === 'string') walk(template.Conditions[value]);
      walk(value);
    }
  };
  // The descriptions themselves are left out: they must follow the others, not define them. So is
  // ReservedConcurrentExecutions: a setting of the function itself, not of a version (Lambda applies
  // it to every version at once, with nothing to publish).
  const { Description: _, VersionDescription: __, ReservedConcurrentExecutions: ___, ...properties } = source.Resources.RetryProxyFunction!.Properties!;
  walk(properties);
  return [...found].sort();
}

/** The parameters the version description names (directly or through its IsDefault conditions). */
function describedParameters(template: CfnTemplate): string[] {
  const text = JSON.stringify(template.Resources.RetryProxyFunction!.Properties!.VersionDescription);
  const refs = [...text.matchAll(/"Ref":"([A-Za-z0-9]+)"|\$\{([A-Za-z0-9]+)\}|"Fn::If":\["([A-Za-z0-9]+)IsDefault"/g)].map((m) => m[1] ?? m[2] ?? m[3]!);
  return [...new Set(refs)].filter((name) => template.Parameters[name]).sort();
}

/** A different value for `name`, valid where the parameter's constraints are simple. */
function changed(name: string): string | string[] {
  const parameter = source.Parameters[name]!;
  if (parameter.Type === 'CommaDelimitedList') return ['subnet-0123456789abcdef0'];
  const current = String(defaults[name] ?? ORIGIN.OriginUrl);
  const other = parameter.AllowedValues?.map(String).find((v) => v !== current);
  if (other !== undefined) return other;
  if (/^[0-9]+$/.test(current)) return String(Number(current) + 1);
  return current === '' ? 'changed' : `${current}x`;
}

describe('what a deploy publishes for the live alias (template as the SAM transform expands it)', () => {
  const reaching = functionParameters(source);
  const base: ParameterValues = { ...defaults, ...ORIGIN };
  const sets: TranslateInput[] = [
    { parameters: base, codeUri: CODE },
    { parameters: base, codeUri: CODE },
    { parameters: { ...base, RetryMaxAttempts: '3' }, codeUri: CODE },
    { parameters: { ...base, FunctionMemorySize: '1024' }, codeUri: CODE },
    { parameters: base, codeUri: `${CODE.slice(0, -1)}0` },
    ...reaching.map((name) => ({ parameters: { ...base, [name]: changed(name) }, codeUri: CODE })),
    { parameters: { ...base, AlarmEmail: 'ops@example.org', WafRateLimit: '100', LogRetentionDays: '7' }, codeUri: CODE },
  ];
  let results: Published[] = [];
  beforeAll(async () => {
    const translated = await samTranslate(TEMPLATE, sets);
    results = translated.map((t, i) => published(t, sets[i]!.parameters));
  }, 120_000);
  const at = (i: number): Published => results[i]!;

  it('publishes nothing when the same parameters and code are deployed again', () => {
    expect(at(1)).toEqual(at(0));
    expect(publishesNewVersion(at(0), at(1))).toBe(false);
  });

  it('publishes a version for changed parameters: the description replaces the Version even where SAM keeps its logical id', () => {
    for (const i of [2, 3]) {
      // samtranslator 1.110 hashes {"Ref": ...}, not the value (aws/serverless-application-model#3820):
      // the logical ids are equal today. Once #3965 is released they differ as well, and that
      // publishes too; the description must differ either way.
      expect(at(i).description).not.toBe(at(0).description);
      expect(publishesNewVersion(at(0), at(i))).toBe(true);
    }
    expect(at(2).description).toContain(' RMA=3');
    expect(at(3).description).toContain(' FMS=1024');
  });

  it('publishes a version for new code: the packaged S3 key changes the logical id', () => {
    expect(at(4).logicalId).not.toBe(at(0).logicalId);
    expect(publishesNewVersion(at(0), at(4))).toBe(true);
  });

  it('publishes a version when any one parameter that reaches the function changes', () => {
    expect(reaching).toEqual(expect.arrayContaining(['OriginUrl', 'HealthCheckTimeoutMs', 'FunctionMemorySize', 'FunctionTimeout', 'SubnetIds', 'SecurityGroupIds', 'CacheBucket']));
    reaching.forEach((name, k) => {
      const result = at(5 + k);
      expect(publishesNewVersion(at(0), result), `${name}=${JSON.stringify(changed(name))}`).toBe(true);
    });
  });

  it('describes exactly the parameters that reach the function, no fewer and no more', () => {
    expect(describedParameters(source)).toEqual(reaching);
  });

  it('publishes nothing when only parameters that never reach the function change', () => {
    expect(publishesNewVersion(at(0), at(results.length - 1))).toBe(false);
  });

  it('makes every new version description a new function configuration too', () => {
    // Lambda publishes nothing for unchanged code and configuration; the function's Description is configuration.
    for (const result of results) expect(result.functionDescription).toBe(result.description);
  });

  it('names only what differs from the defaults, so a production set fits the 256-character limit', () => {
    expect(at(0).description).toBe('OU=https://hosp.internal:8443');
    const production = {
      ...base,
      OriginUrl: 'https://hosp-api.internal.example-hospital.org:8443',
      SubnetIds: ['subnet-0123456789abcdef0', 'subnet-0123456789abcdef1', 'subnet-0123456789abcdef2'],
      SecurityGroupIds: ['sg-0123456789abcdef0'],
      CacheStore: 'tiered',
      RetryMaxAttempts: '3',
      FunctionMemorySize: '1024',
    };
    const description = String(resolveValue(source, source.Resources.RetryProxyFunction!.Properties!.VersionDescription!, production));
    expect(description).toBe(
      'OU=https://hosp-api.internal.example-hospital.org:8443 RMA=3 CS=tiered FMS=1024 ' +
        'SI=subnet-0123456789abcdef0,subnet-0123456789abcdef1,subnet-0123456789abcdef2 SGI=sg-0123456789abcdef0',
    );
    expect(description.length).toBeLessThanOrEqual(256);
  });

  it('caps Routes, written whole, so the longest value still fits beside a 40-character origin', () => {
    const maxLength = Number((source.Parameters.Routes as { MaxLength?: number }).MaxLength);
    const routes = `[${'{"name":"r","pattern":"/**"},'.repeat(8)}`.slice(0, maxLength);
    const description = String(resolveValue(source, source.Resources.RetryProxyFunction!.Properties!.VersionDescription!, { ...base, OriginUrl: `https://${'h'.repeat(24)}.internal:8443`, Routes: routes }));
    expect(description).toContain(` R=${routes}`);
    expect(description.length).toBeLessThanOrEqual(256);
  });

  it('names each value by the capitals of its parameter, one name per parameter', () => {
    const text = JSON.stringify(source.Resources.RetryProxyFunction!.Properties!.VersionDescription);
    const named = [...text.matchAll(/\b([A-Z]+)=(?:\$\{([A-Za-z0-9]+)\}|",\{"Fn::Join":\[",",\{"Ref":"([A-Za-z0-9]+)")/g)].map((m) => [m[1]!, m[2] ?? m[3]!] as const);
    expect(named.map(([, parameter]) => parameter).sort()).toEqual(reaching);
    for (const [key, parameter] of named) expect(key, parameter).toBe(parameter.replace(/[^A-Z]/g, ''));
    expect(new Set(named.map(([key]) => key)).size).toBe(named.length);
  });

  it('compares each IsDefault condition with its parameter\'s own default', () => {
    const named = Object.keys(source.Conditions).filter((c) => c.endsWith('IsDefault'));
    expect(named.map((c) => c.replace(/IsDefault$/, '')).sort()).toEqual(reaching.filter((p) => defaults[p] !== undefined).sort());
    for (const condition of named) {
      const parameter = condition.replace(/IsDefault$/, '');
      const text = JSON.stringify(source.Conditions[condition]);
      expect(text, condition).toContain(JSON.stringify({ Ref: parameter }));
      expect(text, condition).toContain(JSON.stringify([defaults[parameter]].flat().join(',')));
    }
  });
});
