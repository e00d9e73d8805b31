import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, extname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { ENTRY_POINT, samBuildProperties } from '../scripts/build-options.js';
import { REPO_ROOT, buildBundle, verifyBundle } from '../scripts/build.js';
import { ALB_LOG_FIELDS } from '../local/access-log/fields.js';
import { CONFIG_OPTIONS, configOption } from '../shared/config/options.js';
import { parameterOf } from '../scripts/config-doc.js';
import { loadConfig } from '../shared/config/config.js';
import { parseDocument, visit } from 'yaml';
import {
  evaluateCondition,
  failedAssertions,
  loadTemplate,
  parameterDefaults,
  type Json,
  type ParameterValues,
} from './support/cloudformation.js';

const template = loadTemplate(join(REPO_ROOT, 'template.yaml'));
const fn = template.Resources.RetryProxyFunction!;
const props = fn.Properties!;
const defaults = parameterDefaults(template);

/** ORIGIN_URL -> OriginUrl: the template's parameter for a config variable. */

const asObject = (node: Json | undefined): { [key: string]: Json } => {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) throw new Error(`expected a map, got ${JSON.stringify(node)}`);
  return node;
};

/** The optional parts, each with the parameter values that must switch it on. */
const OPTIONAL: Record<string, ParameterValues> = {
  RetryProxyListenerRule: { ListenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/hosp/50dc6c495c0c9188/f2f7dc8efc522ab2' },
  CacheStoreBucket: { CacheStore: 's3' },
  CacheStoreBucketPolicy: { CacheStore: 'tiered' },
  WebAcl: { WafEnabled: 'true', LoadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/hosp/50dc6c495c0c9188' },
  WebAclAssociation: { WafEnabled: 'true', LoadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/hosp/50dc6c495c0c9188' },
  AlarmTopic: { AlarmEmail: 'ops@example.org' },
  SuccessRateAlarm: { LoadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/app/hosp/50dc6c495c0c9188' },
};

describe('template.yaml', () => {
  it('passes cfn-lint with no errors, warnings or notes', { timeout: 120_000 }, async () => {
    const result = await promisify(execFile)('cfn-lint', ['template.yaml'], { cwd: REPO_ROOT }).catch(
      (error: Error & { code?: string | number; stdout?: string; stderr?: string }) => {
        if (error.code === 'ENOENT') {
          throw new Error('cfn-lint is not installed or not on PATH; install it with `pip install cfn-lint` (it bundles the SAM translator)');
        }
        return { stdout: `exit ${String(error.code)}\n${error.stdout ?? ''}`, stderr: error.stderr ?? '' };
      },
    );
    expect(`${result.stdout}${result.stderr}`).toBe('');
  });

  it('deploys what npm run build bundles: same esbuild settings, entry and handler', () => {
    expect(fn.Type).toBe('AWS::Serverless::Function');
    expect(fn.Metadata?.BuildMethod).toBe('esbuild');
    expect(fn.Metadata?.BuildProperties).toEqual(samBuildProperties());
    expect(props.CodeUri).toBe('.');
    expect(props.Runtime).toBe('nodejs22.x');
    expect(props.Architectures).toEqual(['arm64']);
    expect(existsSync(join(REPO_ROOT, ENTRY_POINT))).toBe(true);
    const [file, exported] = String(props.Handler).split('.');
    expect(file).toBe(basename(ENTRY_POINT, extname(ENTRY_POINT)));
    expect(exported).toBe('handler');
  });

  describe('the bundle', () => {
    const outdir = mkdtempSync(join(tmpdir(), 'retry-proxy-bundle-'));
    afterAll(() => rmSync(outdir, { recursive: true, force: true }));

    it('loads in plain Node outside the repo and exports the handler the template names', { timeout: 120_000 }, async () => {
      const bundle = await buildBundle(outdir);
      expect(basename(bundle.file)).toBe(`${String(props.Handler).split('.')[0]}.mjs`);
      const check = await verifyBundle(bundle.file, { ...process.env, ORIGIN_URL: 'http://127.0.0.1:9' });
      expect(check.exports).toContain(String(props.Handler).split('.')[1]);
    });

    it('leaves the S3 client out of what memory mode loads at cold start', { timeout: 120_000 }, async () => {
      const bundle = await buildBundle(outdir);
      const coldStart = bundle.coldStart.map((f) => f.file);
      expect(coldStart[0]).toBe(bundle.file);
      for (const file of bundle.coldStart) {
        expect(readFileSync(file.file, 'utf8'), basename(file.file)).not.toContain('@aws-sdk');
        expect(file.packages.filter((p) => p.startsWith('@aws-sdk/') || p.startsWith('@smithy/')), basename(file.file)).toEqual([]);
      }
      const lazy = bundle.outputs.filter((f) => !coldStart.includes(f.file));
      expect(lazy.filter((f) => f.packages.includes('@aws-sdk/client-s3'))).toHaveLength(1);
      // 1,235 KiB in one file before splitting and the node:http origin client (issue 16: <= 300 KB).
      const bytes = bundle.coldStart.reduce((sum, f) => sum + f.bytes, 0);
      expect(bytes).toBeLessThanOrEqual(300 * 1000);
      expect(bundle.coldStart.flatMap((f) => f.packages)).not.toContain('undici');
    });

    it('loads the S3 chunk from plain Node when an S3 store serves a request, and memory mode never does', { timeout: 120_000 }, async () => {
      const bundle = await buildBundle(outdir);
      const probe = [
        "import { register } from 'node:module';",
        "register('data:text/javascript,' + encodeURIComponent(\"export async function resolve(s, c, next) { const r = await next(s, c); if (r.url.endsWith('.mjs')) process.stdout.write('loaded ' + r.url.split('/').pop() + '\\\\n'); return r; }\"));",
        'const { handler } = await import(process.argv[1]);',
        "const event = { requestContext: { elb: { targetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/probe/0123456789abcdef' } }, httpMethod: 'GET', path: '/', queryStringParameters: {}, headers: { host: 'probe' }, body: '', isBase64Encoded: false };",
        'const deadline = Date.now() + 5000;',
        "const result = await handler(event, { functionName: 'probe', functionVersion: '1', invokedFunctionArn: 'arn', memoryLimitInMB: '512', awsRequestId: 'probe', getRemainingTimeInMillis: () => deadline - Date.now() });",
        "process.stdout.write('status ' + result.statusCode + '\\n');",
        'process.exit(0);',
      ].join('\n');
      const run = async (store: string): Promise<string> => {
        const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe, bundle.file], {
          env: {
            ...process.env,
            POWERTOOLS_LOG_LEVEL: 'SILENT',
            POWERTOOLS_METRICS_DISABLED: 'true',
            ORIGIN_URL: 'http://127.0.0.1:9',
            CACHE_STORE: store,
            CACHE_BUCKET: 'probe',
            CACHE_S3_ENDPOINT: 'http://127.0.0.1:9',
            AWS_ACCESS_KEY_ID: 'probe',
            AWS_SECRET_ACCESS_KEY: 'probe',
          },
          timeout: 60_000,
        });
        return stdout;
      };
      const sdkChunk = bundle.outputs.find((f) => f.packages.includes('@aws-sdk/client-s3'))!;
      const [s3, memory] = await Promise.all([run('s3'), run('memory')]);
      expect(s3).toMatch(/^status \d{3}$/m);
      expect(s3).toContain(`loaded ${basename(sdkChunk.file)}`);
      expect(memory).toMatch(/^status \d{3}$/m);
      expect(memory).not.toContain(`loaded ${basename(sdkChunk.file)}`);
    });
  });

  describe('function configuration', () => {
    const variables = asObject(asObject(props.Environment).Variables);

    it('passes exactly the documented config variables, no more, no fewer', () => {
      expect(Object.keys(variables).sort()).toEqual(CONFIG_OPTIONS.map((o) => o.name).sort());
    });

    it.each(CONFIG_OPTIONS.map((o) => [o.name]))('%s comes from its own parameter with the same default', (name) => {
      const option = configOption(name as (typeof CONFIG_OPTIONS)[number]['name']);
      const parameterName = parameterOf(name);
      const parameter = template.Parameters[parameterName];
      expect(parameter, `parameter ${parameterName}`).toBeDefined();
      expect(parameter?.Description?.startsWith(name), `${parameterName}'s description names ${name}`).toBe(true);
      // Either a plain Ref, or (CACHE_BUCKET) an If whose other branch is the stack's own bucket.
      expect(JSON.stringify(variables[name])).toContain(JSON.stringify({ Ref: parameterName }));
      if (option.name === 'ORIGIN_URL') {
        expect(parameter?.Default, 'ORIGIN_URL is required: no default').toBeUndefined();
      } else {
        expect(String(parameter?.Default)).toBe(option.default);
      }
      if (parameter?.AllowedPattern && parameter.Default !== undefined) {
        expect(String(parameter.Default)).toMatch(new RegExp(parameter.AllowedPattern));
      }
    });

    // A value the template lets through must not fail the cold start: a deploy would succeed and every
    // request then fail. Numbers around each option's bounds, against each parameter's AllowedPattern.
    const SAMPLES = ['0', '1', '1.5', '4', '5', '10', '10.5', '20', '21', '49', '50', '99.9', '99.95', '100', '10000', '10001', '1000000', '1000001', '-1', '99.90', '99.91', '0.25', '00', '899999', '900000', '900001', '2147483648', '999999999999999', '1000000000000000', '9007199254740992', '100000000000000000',
      'a-', '-a', 'A.example', 'a.example.', 'a:80', ',a', 'a,,b', 'a, b', '[::1]', '[::1]:8443', 'origin', 'client', 'AWS/Lambda', 'AlbRetryProxy',
      'http://h:0', 'http://h:00/', 'http://[::1]:0', 'http://h:8000', 'https://hosp.internal:8443/', 'http://[::]',
      'cache/', 'cache', '*', 'cache/*', 'hosp/cache/', '../x/', 'a/./', '/x/', 'a//'];
    it.each(CONFIG_OPTIONS.filter((o) => template.Parameters[parameterOf(o.name)]?.AllowedPattern).map((o) => [o.name]))(
      '%s: every value its parameter pattern accepts passes the cold start',
      (name) => {
        const pattern = new RegExp(template.Parameters[parameterOf(name)]!.AllowedPattern!);
        const accepted = SAMPLES.filter((v) => pattern.test(v));
        const failing = accepted.filter((value) => {
          try {
            // ORIGIN_HOST_HEADER=client also needs ALLOWED_HOSTS, which the template's Rules require with it.
            loadConfig({ ORIGIN_URL: 'http://origin.internal', ALLOWED_HOSTS: 'app.example.org', [name]: value });
            return false;
          } catch {
            return true;
          }
        });
        expect(failing).toEqual([]);
      },
    );

    it.each(CONFIG_OPTIONS.filter((o) => /^(integer|number|off \| auto)/.test(o.form)).map((o) => [o.name, o.form]))(
      "%s: the parameter's constraint description is the option's accepted form (%s)",
      (name, form) => {
        expect(template.Parameters[parameterOf(name)]?.ConstraintDescription).toBe(form);
      },
    );

    it.each(['https://hosp.internal:84430', 'http://hosp.internal:99999', 'http://h:65536', 'http://[::1]:070000', 'https://hosp.internal:8443a', 'https://hosp.internal::8443', 'https://hosp.internal:8443:8443', 'https://:8443', 'http://[::1'])(
      'OriginUrl %s: refused at deploy time, as every cold start refuses it (found by review)',
      (value) => {
        expect(() => loadConfig({ ORIGIN_URL: value })).toThrow(/ORIGIN_URL/);
        expect(new RegExp(template.Parameters.OriginUrl!.AllowedPattern!).test(value)).toBe(false);
      },
    );

    it.each(['http://h:65535', 'http://h:1', 'https://hosp.internal:8443/', 'http://[::1]:443', 'http://[::1]', 'http://h:00080', 'http://10.0.0.5:8080'])('OriginUrl %s: accepted at deploy time and at the cold start', (value) => {
      expect(() => loadConfig({ ORIGIN_URL: value })).not.toThrow();
      expect(new RegExp(template.Parameters.OriginUrl!.AllowedPattern!).test(value)).toBe(true);
    });

    it.each(['Client', 'CLIENT', 'Origin'])('OriginHostHeader=%s: refused at deploy time, since the rule that asks for AllowedHosts compares exactly (found by review)', (value) => {
      expect(new RegExp(template.Parameters.OriginHostHeader!.AllowedPattern!).test(value)).toBe(false);
      // The cold start reads it as the keyword: without AllowedHosts, every cold start would fail.
      if (value.toLowerCase() === 'client') expect(() => loadConfig({ ORIGIN_URL: 'http://origin.internal', ORIGIN_HOST_HEADER: value })).toThrow(/ALLOWED_HOSTS/);
      expect(failedAssertions(template, 'ClientHostNeedsAllowedHosts', { ...defaults, OriginUrl: 'http://origin.internal', OriginHostHeader: 'client' })).toHaveLength(1);
    });

    it.each(['client:8080', 'clients.internal', 'origin.internal:8443', 'hosp.internal'])('OriginHostHeader=%s: a host name, accepted', (value) => {
      expect(new RegExp(template.Parameters.OriginHostHeader!.AllowedPattern!).test(value)).toBe(true);
    });

    it('POWERTOOLS_LOG_LEVEL: the template allows exactly the levels the cold start accepts', () => {
      const allowed = template.Parameters.PowertoolsLogLevel!.AllowedValues!.map(String);
      for (const level of allowed) expect(() => loadConfig({ ORIGIN_URL: 'http://origin.internal', POWERTOOLS_LOG_LEVEL: level })).not.toThrow();
      for (const level of ['warn', 'LOUD', 'Info']) expect(() => loadConfig({ ORIGIN_URL: 'http://origin.internal', POWERTOOLS_LOG_LEVEL: level })).toThrow('POWERTOOLS_LOG_LEVEL');
      expect(allowed).toEqual(['TRACE', 'DEBUG', 'INFO', 'WARN', 'ERROR', 'CRITICAL', 'SILENT']);
    });

    it('gives CACHE_BUCKET the created bucket only when S3 caching has no bucket of its own', () => {
      expect(variables.CACHE_BUCKET).toEqual({
        'Fn::If': ['CreateCacheBucket', { Ref: 'CacheStoreBucket' }, { Ref: 'CacheBucket' }],
      });
      expect(evaluateCondition(template, 'CreateCacheBucket', { ...defaults, CacheStore: 's3' })).toBe(true);
      expect(evaluateCondition(template, 'CreateCacheBucket', { ...defaults, CacheStore: 's3', CacheBucket: 'mine' })).toBe(false);
    });

    it('times out after a full attempt fits but before the ALB idle timeout (60 s)', () => {
      expect(props.Timeout).toEqual({ Ref: 'FunctionTimeout' });
      const timeoutMs = Number(defaults.FunctionTimeout) * 1000;
      const attempt = Number(configOption('ATTEMPT_TIMEOUT_MS').default);
      const margin = Number(configOption('DEADLINE_MARGIN_MS').default);
      expect(timeoutMs).toBeLessThan(60_000);
      expect(timeoutMs - margin).toBeGreaterThan(2 * attempt);
    });
  });

  describe('ALB attachment', () => {
    const targetGroup = template.Resources.RetryProxyTargetGroup!;
    const permission = template.Resources.AlbInvokePermission!;

    it('registers the live alias, never $LATEST', () => {
      expect(props.AutoPublishAlias).toBe('live');
      expect(targetGroup.Properties?.TargetType).toBe('lambda');
      expect(targetGroup.Properties?.Targets).toEqual([{ Id: { Ref: 'RetryProxyFunction.Alias' } }]);
      expect(permission.Properties?.FunctionName).toEqual({ Ref: 'RetryProxyFunction.Alias' });
    });

    it('grants ALB the invoke before registering, through a wildcard on the fixed target group name', () => {
      expect([targetGroup.DependsOn].flat()).toContain('AlbInvokePermission');
      expect(targetGroup.Properties?.Name).toEqual({ Ref: 'TargetGroupName' });
      expect(permission.Properties?.Principal).toBe('elasticloadbalancing.amazonaws.com');
      expect(JSON.stringify(permission.Properties?.SourceArn)).toContain(':targetgroup/${TargetGroupName}/*');
      expect(JSON.stringify(permission.Properties)).not.toContain('RetryProxyTargetGroup');
    });

    it('gives a forwarded health check its own deadline inside the target group\'s timeout', () => {
      const tg = targetGroup.Properties!;
      const timeoutS = Number(tg.HealthCheckTimeoutSeconds);
      // ELB: the interval must be longer than the timeout; Lambda targets default to 30 s and 35 s.
      expect(timeoutS).toBeGreaterThanOrEqual(2);
      expect(Number(tg.HealthCheckIntervalSeconds)).toBeGreaterThan(timeoutS);
      expect(Number(defaults.HealthCheckTimeoutMs)).toBeLessThan(timeoutS * 1000);
      expect(Number(defaults.HealthCheckTimeoutMs)).toBeLessThan(Number(defaults.AttemptTimeoutMs));
    });

    it('exposes the multi-value headers attribute as a parameter', () => {
      expect(targetGroup.Properties?.TargetGroupAttributes).toContainEqual({
        Key: 'lambda.multi_value_headers.enabled',
        Value: { Ref: 'MultiValueHeaders' },
      });
    });
  });

  it('uses no YAML anchors or aliases (CloudFormation rejects them; only sam unrolls them)', () => {
    const text = readFileSync(join(REPO_ROOT, 'template.yaml'), 'utf8');
    const found: string[] = [];
    // Tags are irrelevant here; keep them as unknown-tag scalars and collections.
    visit(parseDocument(text, { customTags: (tags) => tags }), {
      Alias: (_, node) => void found.push(`*${node.source}`),
      Node: (_, node) => void (node.anchor && found.push(`&${node.anchor}`)),
    });
    expect(found).toEqual([]);
  });

  describe('rules', () => {
    const listener = { ListenerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/hosp/50dc6c495c0c9188/f2f7dc8efc522ab2' };

    it('refuses a listener rule with neither path patterns nor host headers', () => {
      expect(failedAssertions(template, 'ListenerRuleNeedsCondition', { ...defaults, ...listener, ListenerPathPatterns: [''] })).toHaveLength(1);
      expect(failedAssertions(template, 'ListenerRuleNeedsCondition', { ...defaults, ...listener, ListenerPathPatterns: [''], ListenerHostHeaders: ['hosp.example.org'] })).toEqual([]);
      expect(failedAssertions(template, 'ListenerRuleNeedsCondition', { ...defaults, ...listener })).toEqual([]);
      expect(failedAssertions(template, 'ListenerRuleNeedsCondition', { ...defaults, ListenerPathPatterns: [''] }), 'no listener, no rule').toEqual([]);
    });

    it('asserts exactly what the listener rule conditions need', () => {
      // The rule is switched by HasListener; its conditions by HasPathPatterns and HasHostHeaders.
      for (const [paths, hosts] of [[[''], ['']], [['/*'], ['']], [[''], ['h']], [['/a'], ['h']]] as const) {
        const values = { ...defaults, ...listener, ListenerPathPatterns: paths, ListenerHostHeaders: hosts };
        const hasCondition = evaluateCondition(template, 'HasPathPatterns', values) || evaluateCondition(template, 'HasHostHeaders', values);
        expect(failedAssertions(template, 'ListenerRuleNeedsCondition', values).length === 0).toBe(hasCondition);
      }
    });

    it('keeps the default parameters free of failed assertions', () => {
      for (const rule of Object.keys(template.Rules ?? {})) expect(failedAssertions(template, rule, defaults), rule).toEqual([]);
    });
  });

  describe('ELB log delivery accounts', () => {
    const accounts = template.Mappings?.ElbLogDeliveryAccount ?? {};

    it.each([
      ['us-gov-west-1', '048591011584'],
      ['us-gov-east-1', '190560391635'],
      ['cn-north-1', '638102146993'],
      ['cn-northwest-1', '037604701340'],
      ['eu-west-1', '156460612806'],
    ])('grants %s\'s account %s', (region, account) => {
      expect(accounts[region]).toEqual({ AccountId: account });
      expect(evaluateCondition(template, 'IsLegacyElbRegion', { 'AWS::Region': region })).toBe(true);
    });

    it('uses the mapping in exactly the Regions it has an account for', () => {
      const inCondition = [...JSON.stringify(template.Conditions.IsLegacyElbRegion).matchAll(/"([a-z]{2}(?:-[a-z]+)+-[0-9])"/g)].map((m) => m[1]!);
      expect(inCondition.sort()).toEqual(Object.keys(accounts).sort());
      expect(evaluateCondition(template, 'IsLegacyElbRegion', { 'AWS::Region': 'eu-central-2' })).toBe(false);
    });
  });

  describe('optional parts', () => {
    it('declares a switch for every conditional resource', () => {
      const conditional = Object.entries(template.Resources).filter(([, r]) => r.Condition).map(([name]) => name);
      expect(conditional.sort()).toEqual(Object.keys(OPTIONAL).sort());
    });

    it('keeps every optional resource and output off while its parameter is empty', () => {
      const conditions = [
        ...Object.values(template.Resources).map((r) => r.Condition),
        ...Object.values(template.Outputs).map((o) => o.Condition),
        (asObject(props.VpcConfig)['Fn::If'] as Json[])[0],
      ].filter((c): c is string => typeof c === 'string');
      expect(conditions.length).toBeGreaterThan(Object.keys(OPTIONAL).length);
      for (const condition of new Set(conditions)) {
        expect(evaluateCondition(template, condition, defaults), condition).toBe(false);
      }
    });

    it.each(Object.entries(OPTIONAL))('switches %s on with its parameter', (name, values) => {
      const condition = template.Resources[name]!.Condition!;
      expect(evaluateCondition(template, condition, { ...defaults, ...values })).toBe(true);
    });

    it('puts the function in a VPC only when subnets are given', () => {
      expect(asObject(props.VpcConfig)['Fn::If']).toEqual([
        'HasVpc',
        { SubnetIds: { Ref: 'SubnetIds' }, SecurityGroupIds: { Ref: 'SecurityGroupIds' } },
        { Ref: 'AWS::NoValue' },
      ]);
      expect(evaluateCondition(template, 'HasVpc', { ...defaults, SubnetIds: ['subnet-0a1b2c3d'] })).toBe(true);
    });

    it('creates no WAF without a load balancer to attach it to', () => {
      expect(evaluateCondition(template, 'HasWaf', { ...defaults, WafEnabled: 'true' })).toBe(false);
    });
  });

  describe('permissions', () => {
    /** Every IAM statement in the template, both branches of an If, in its policy's context. */
    function statements(node: Json, inPolicy = false): { [key: string]: Json }[] {
      if (Array.isArray(node)) return node.flatMap((item) => statements(item, inPolicy));
      if (node === null || typeof node !== 'object') return [];
      if (inPolicy && 'Effect' in node) return [node];
      return Object.entries(node).flatMap(([key, value]) =>
        statements(value, inPolicy || key === 'Statement'),
      );
    }
    const all = statements(template.Resources as unknown as Json);
    const allows = all.filter((s) => s.Effect === 'Allow' && !('Principal' in s && s.Action === 'sts:AssumeRole'));

    it('finds the statements it checks', () => {
      expect(allows.length).toBeGreaterThanOrEqual(4);
    });

    it('allows no "*" action or resource, and no service-wide wildcard', () => {
      for (const statement of allows) {
        const actions = [statement.Action].flat().map(String);
        expect(actions.filter((a) => a === '*' || a.endsWith(':*')), JSON.stringify(statement)).toEqual([]);
        expect([statement.Resource].flat(), JSON.stringify(statement)).not.toContain('*');
        expect(statement.NotAction ?? statement.NotResource, JSON.stringify(statement)).toBeUndefined();
      }
    });

    it('lets the function only get, put and delete objects under the cache prefix', () => {
      const s3 = allows.filter((s) => [s.Action].flat().some((a) => String(a).startsWith('s3:')) && !('Principal' in s));
      expect(s3).toHaveLength(1);
      expect([s3[0]!.Action].flat().sort()).toEqual(['s3:DeleteObject', 's3:GetObject', 's3:PutObject']);
      expect(JSON.stringify(s3[0]!.Resource)).toContain('/${CachePrefix}*');
    });

    it('in a VPC, adds only the ENI management policy (no logs on *)', () => {
      const role = template.Resources.RetryProxyRole!.Properties!;
      expect(JSON.stringify(role.ManagedPolicyArns)).toContain('policy/service-role/AWSLambdaENIManagementAccess');
      expect(JSON.stringify(role.ManagedPolicyArns)).not.toContain('AWSLambdaVPCAccessExecutionRole');
      expect(asObject(role.ManagedPolicyArns)['Fn::If']).toEqual(expect.arrayContaining(['HasVpc', { Ref: 'AWS::NoValue' }]));
    });

    it('denies plain HTTP on every bucket it creates', () => {
      const buckets = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::S3::Bucket').map(([n]) => n);
      const policies = Object.values(template.Resources).filter((r) => r.Type === 'AWS::S3::BucketPolicy');
      for (const bucket of buckets) {
        const policy = policies.find((p) => JSON.stringify(p.Properties?.Bucket) === JSON.stringify({ Ref: bucket }));
        expect(JSON.stringify(policy?.Properties?.PolicyDocument), bucket).toContain('"aws:SecureTransport":"false"');
      }
    });
  });

  describe('access logs', () => {
    const table = asObject(template.Resources.AccessLogTable!.Properties!.TableInput);
    const storage = asObject(table.StorageDescriptor);
    const columns = (storage.Columns as { Name: string }[]).map((c) => c.Name);
    const regexSource = String(asObject(asObject(storage.SerdeInfo).Parameters)['input.regex']);
    const regex = new RegExp(`^(?:${regexSource})$`);
    const tg = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/alb-retry-proxy/73e2d6bc24d8a067';
    const cert = 'arn:aws:acm:eu-west-1:123456789012:certificate/12345678-1234-1234-1234-123456789012';
    const parseLine = (line: string): Record<string, string> => {
      const match = regex.exec(line);
      if (!match) throw new Error(`the table's regex does not match ${line}`);
      return Object.fromEntries(columns.map((name, i) => [name, match[i + 1] ?? '']));
    };

    it('has exactly one capture group per column (Hive RegexSerDe refuses any other count)', () => {
      // An alternative that matches the empty string makes exec() report every group.
      const groups = new RegExp(`${regexSource}|`).exec('')!.length - 1;
      expect(groups).toBe(columns.length);
      expect(columns.slice(-4)).toEqual(['conn_trace_id', 'transformed_host', 'transformed_uri', 'request_transform_status']);
    });

    it('names the columns after the fields the local access-log parser knows, in its order', () => {
      const athenaName = (field: string) =>
        field === 'error_reason' ? 'lambda_error_reason' : field.replace(':port', '_port');
      const known = ALB_LOG_FIELDS.flatMap((field) =>
        field === 'client:port' ? ['client_ip', 'client_port']
          : field === 'target:port' ? ['target_ip', 'target_port']
            : field === 'request' ? ['request_verb', 'request_url', 'request_proto'] : [athenaName(field)],
      );
      expect(columns).toEqual(known);
    });

    it('parses a Lambda target line into the documented columns', () => {
      const row = parseLine(
        `https 2025-11-22T10:00:01.123456Z app/hosp/50dc6c495c0c9188 203.0.113.7:52001 - 0.001 3.512 0.000 200 200 412 5120 ` +
          `"GET https://hosp.example.org:443/patients/search?name=%5Bx%5D&page=2 HTTP/1.1" "Mozilla/5.0 (X11; Linux x86_64)" ` +
          `ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ${tg} "Root=1-67405a11-0123456789abcdef01234567" "hosp.example.org" "${cert}" ` +
          `100 2025-11-22T10:00:01.120000Z "forward" "-" "-" "-" "-" "-" "-" TID_0123456789abcdef`,
      );
      expect(columns).toHaveLength(37);
      expect(row).toMatchObject({
        client_ip: '203.0.113.7',
        target_processing_time: '3.512',
        elb_status_code: '200',
        request_verb: 'GET',
        request_url: 'https://hosp.example.org:443/patients/search?name=%5Bx%5D&page=2',
        user_agent: 'Mozilla/5.0 (X11; Linux x86_64)',
        target_group_arn: tg,
        actions_executed: 'forward',
        conn_trace_id: 'TID_0123456789abcdef',
      });
    });

    it('parses a failed invocation and tolerates fields ALB adds later', () => {
      const row = parseLine(
        `https 2025-11-22T10:00:02.000001Z app/hosp/50dc6c495c0c9188 203.0.113.8:40000 - 0.000 -1 -1 502 - 300 277 ` +
          `"POST https://hosp.example.org:443/orders HTTP/1.1" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ${tg} ` +
          `"Root=1-67405a12-0123456789abcdef01234567" "hosp.example.org" "${cert}" 100 2025-11-22T10:00:01.990000Z ` +
          `"forward" "-" "LambdaUnhandled" "-" "-" "-" "-" TID_fedcba9876543210 "hosp.internal" "/orders?v=2" "TransformSuccess" "a-future-field" 7`,
      );
      expect(row).toMatchObject({
        elb_status_code: '502',
        target_status_code: '-',
        target_processing_time: '-1',
        lambda_error_reason: 'LambdaUnhandled',
        conn_trace_id: 'TID_fedcba9876543210',
        transformed_host: 'hosp.internal',
        transformed_uri: '/orders?v=2',
        request_transform_status: 'TransformSuccess',
      });
    });

    it('parses a line written before the transform fields existed', () => {
      const row = parseLine(
        `https 2025-11-22T10:00:02.000001Z app/hosp/50dc6c495c0c9188 203.0.113.8:40000 - 0.000 0.010 0.000 200 200 300 277 ` +
          `"GET https://hosp.example.org:443/ HTTP/1.1" "curl/8.5.0" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 ${tg} ` +
          `"Root=1-67405a12-0123456789abcdef01234567" "hosp.example.org" "${cert}" 100 2025-11-22T10:00:01.990000Z ` +
          `"forward" "-" "-" "-" "-" "-" "-" TID_fedcba9876543210`,
      );
      expect(row).toMatchObject({ conn_trace_id: 'TID_fedcba9876543210', transformed_host: '', request_transform_status: '' });
    });

    it('projects one partition per day where ALB writes them', () => {
      const parameters = asObject(table.Parameters);
      expect(parameters['projection.enabled']).toBe('true');
      expect(parameters['projection.day.format']).toBe('yyyy/MM/dd');
      expect(JSON.stringify(parameters['storage.location.template'])).toContain('/AWSLogs/${AWS::AccountId}/elasticloadbalancing/${AWS::Region}/${!day}');
      expect(table.PartitionKeys).toEqual([{ Name: 'day', Type: 'string' }]);
    });

    it('saves the four queries in the workgroup, each reading the table', () => {
      const queries = Object.values(template.Resources).filter((r) => r.Type === 'AWS::Athena::NamedQuery');
      expect(queries.map((q) => q.Properties?.Name).sort()).toEqual(
        ['5xx-by-elb-vs-target', 'latency-percentiles-per-hour', 'success-rate-per-hour', 'top-failing-paths'],
      );
      for (const query of queries) {
        expect(query.Properties?.WorkGroup).toEqual({ Ref: 'AccessLogWorkGroup' });
        expect(query.Properties?.Database).toEqual({ Ref: 'AccessLogDatabase' });
        const sql = String(asObject(query.Properties?.QueryString)['Fn::Sub']);
        expect(sql).toContain('FROM "${AccessLogDatabase}"."${AccessLogTable}"');
        expect(sql, 'the partition column bounds the scan').toMatch(/WHERE day >= /);
        for (const [, column] of sql.matchAll(/\b([a-z_]+(?:_code|_time|_url|_verb|_arn|_reason))\b/g)) {
          expect(columns, `${String(query.Properties?.Name)} uses ${column}`).toContain(column);
        }
      }
    });
  });

  it('puts every parameter in exactly one console group', () => {
    const groups = asObject(template.Metadata?.['AWS::CloudFormation::Interface']).ParameterGroups;
    const grouped = (groups as { Parameters: string[] }[]).flatMap((g) => g.Parameters);
    expect([...grouped].sort()).toEqual(Object.keys(template.Parameters).sort());
  });

  it('overrides only parameters the template has in samconfig.toml', () => {
    const toml = readFileSync(join(REPO_ROOT, 'samconfig.toml'), 'utf8');
    const overrides = [...toml.matchAll(/^parameter_overrides\s*=\s*"((?:[^"\\]|\\.)*)"/gm)].map((m) => m[1]!.replace(/\\"/g, '"'));
    expect(overrides.length).toBeGreaterThan(0);
    for (const line of overrides) {
      const names = [...line.matchAll(/(?:^|\s)([A-Za-z][A-Za-z0-9]*)=/g)].map((m) => m[1]!);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect(Object.keys(template.Parameters), name).toContain(name);
    }
  });
});
