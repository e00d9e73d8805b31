/**
 * What the local Athena runner needs from `template.yaml`: the Glue table (name, database, columns,
 * RegexSerDe regex, partition keys) and the saved queries (`AWS::Athena::NamedQuery`), with their
 * `!Sub` placeholders resolved the way CloudFormation would for one stack.
 */
import { readFileSync } from 'node:fs';
import { parse, type Tags } from 'yaml';

/** A Glue column: name and Hive type (`string`, `int`, `bigint`, `double`, ...). */
export interface GlueColumn {
  name: string;
  type: string;
}

export interface GlueTable {
  /** The template's logical id (`AccessLogTable`). */
  logicalId: string;
  database: string;
  name: string;
  columns: GlueColumn[];
  partitionKeys: GlueColumn[];
  /** The SerDe's `input.regex`: Java syntax, matched against the whole line. */
  regex: string;
}

export interface SavedQuery {
  logicalId: string;
  /** The query's Name, what the console lists (`success-rate-per-hour`). */
  name: string;
  description: string;
  /** The query text with every `${...}` resolved. */
  sql: string;
}

export interface TemplateValues {
  /** Parameter values over the template's defaults, e.g. `{ SuccessRateTarget: '99.9' }`. */
  parameters?: Record<string, string>;
  /**
   * What `${TargetGroup}` (the `AWS::ElasticLoadBalancingV2::TargetGroup` resources) stands for: the
   * ARN the logs carry. @default the local emulator's target group ARN
   */
  targetGroupArn?: string;
}

/** The emulator's ARN (local/alb-event-builder.ts), so saved queries match its logs as they are. */
export const DEFAULT_TARGET_GROUP_ARN =
  'arn:aws:elasticloadbalancing:local:000000000000:targetgroup/alb-retry-proxy-local/0000000000000000';

/** Placeholders for pseudo parameters, as a local stack would have them. */
const PSEUDO: Record<string, string> = {
  'AWS::Region': 'local',
  'AWS::AccountId': '000000000000',
  'AWS::Partition': 'aws',
  'AWS::StackName': 'alb-retry-proxy',
  'AWS::URLSuffix': 'amazonaws.com',
};

type Node = unknown;
interface Resource {
  Type: string;
  Properties?: Record<string, Node>;
}
interface Template {
  Parameters?: Record<string, { Default?: string | number }>;
  Resources: Record<string, Resource>;
}

/** Every short-form tag (`!Sub x`) read as its long form (`{ 'Fn::Sub': x }`), whatever the node kind. */
function tags(): Tags {
  const names = ['Ref', 'Sub', 'GetAtt', 'If', 'Join', 'Select', 'Split', 'FindInMap', 'Equals', 'Not', 'And', 'Or',
    'Condition', 'Base64', 'Cidr', 'GetAZs', 'ImportValue', 'Transform', 'ToJsonString', 'Length', 'Contains',
    'EachMemberEquals', 'EachMemberIn', 'RefAll', 'ValueOf', 'ValueOfAll'];
  return names.flatMap((name) => {
    const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
    const wrap = (value: unknown): Node => ({ [key]: value });
    return [
      { tag: `!${name}`, resolve: (value: string) => wrap(value) },
      { tag: `!${name}`, collection: 'seq' as const, resolve: (n: { toJSON(): unknown }) => wrap(n.toJSON()) },
      { tag: `!${name}`, collection: 'map' as const, resolve: (n: { toJSON(): unknown }) => wrap(n.toJSON()) },
    ];
  }) as Tags;
}

export class TemplateModel {
  private readonly template: Template;

  constructor(
    private readonly path: string,
    private readonly values: TemplateValues = {},
  ) {
    const parsed = parse(readFileSync(path, 'utf8'), { customTags: tags() }) as Template | null;
    if (!parsed?.Resources) throw new Error(`${path} is not a CloudFormation template (no Resources)`);
    this.template = parsed;
  }

  /** The one `AWS::Glue::Table` with a RegexSerDe. */
  glueTable(): GlueTable {
    const tables = this.resources('AWS::Glue::Table');
    if (tables.length !== 1) throw new Error(`${this.path}: expected one AWS::Glue::Table, found ${tables.length}`);
    const [logicalId, resource] = tables[0]!;
    const input = resource.Properties?.TableInput as Record<string, Node>;
    const storage = input.StorageDescriptor as Record<string, Node>;
    const serde = storage.SerdeInfo as { Parameters?: Record<string, Node> };
    const regex = serde.Parameters?.['input.regex'];
    if (typeof regex !== 'string') throw new Error(`${this.path}: ${logicalId} has no SerdeInfo input.regex`);
    const columns = (list: Node): GlueColumn[] =>
      ((list ?? []) as { Name: string; Type: string }[]).map((c) => ({ name: c.Name, type: c.Type }));
    return {
      logicalId,
      database: this.value(resource.Properties?.DatabaseName, logicalId),
      name: this.value(input.Name, logicalId),
      columns: columns(storage.Columns),
      partitionKeys: columns(input.PartitionKeys),
      regex,
    };
  }

  /** Every `AWS::Athena::NamedQuery`, in template order. */
  savedQueries(): SavedQuery[] {
    return this.resources('AWS::Athena::NamedQuery').map(([logicalId, r]) => ({
      logicalId,
      name: this.value(r.Properties?.Name, logicalId),
      description: this.value(r.Properties?.Description ?? '', logicalId),
      sql: this.value(r.Properties?.QueryString, logicalId),
    }));
  }

  private resources(type: string): [string, Resource][] {
    return Object.entries(this.template.Resources).filter(([, r]) => r.Type === type);
  }

  /** A property as a string: a literal, `!Ref`, or `!Sub` over parameters, pseudo parameters and resources. */
  private value(node: Node, where: string): string {
    if (typeof node === 'string' || typeof node === 'number') return String(node);
    const object = (node ?? {}) as Record<string, Node>;
    if (typeof object.Ref === 'string') return this.ref(object.Ref, where);
    const sub = object['Fn::Sub'];
    if (typeof sub === 'string') {
      // `${!x}` is CloudFormation's escape for a literal `${x}`.
      return sub.replace(/\$\{(!?)([^}]*)\}/g, (_, bang: string, name: string) => (bang ? `\${${name}}` : this.ref(name, where)));
    }
    throw new Error(`${this.path}: ${where}: cannot resolve ${JSON.stringify(node)} locally (only literals, !Ref and !Sub with a string)`);
  }

  /** What `!Ref name` (or `${name}`) gives. */
  private ref(name: string, where: string): string {
    const override = this.values.parameters?.[name];
    if (override !== undefined) return override;
    const parameter = this.template.Parameters?.[name];
    if (parameter?.Default !== undefined) return String(parameter.Default);
    if (name in PSEUDO) return PSEUDO[name]!;
    const resource = this.template.Resources[name];
    if (resource === undefined) {
      throw new Error(`${this.path}: ${where} refers to \${${name}}, which has no value locally: pass it as a parameter`);
    }
    switch (resource.Type) {
      case 'AWS::Glue::Database':
        return this.value((resource.Properties?.DatabaseInput as Record<string, Node>)?.Name, name);
      case 'AWS::Glue::Table':
        return this.value((resource.Properties?.TableInput as Record<string, Node>)?.Name, name);
      case 'AWS::ElasticLoadBalancingV2::TargetGroup':
        return this.values.targetGroupArn ?? DEFAULT_TARGET_GROUP_ARN;
      case 'AWS::Athena::WorkGroup':
        return this.value(resource.Properties?.Name, name);
      default:
        throw new Error(`${this.path}: ${where} refers to ${name} (${resource.Type}), which has no local value: pass it as a parameter`);
    }
  }
}
