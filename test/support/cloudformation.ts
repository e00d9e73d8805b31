import { readFileSync } from 'node:fs';
import { parse, type Tags } from 'yaml';

/**
 * Just enough CloudFormation for tests that check what cfn-lint cannot: the template parsed with
 * its short-form tags (`!Ref x` becomes `{ Ref: 'x' }`, `!Sub` becomes `{ 'Fn::Sub': ... }`), and a
 * Conditions evaluator over parameter values.
 */

/** A parsed template value: what `JSON.parse` could return, with intrinsics as plain objects. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface CfnParameter {
  readonly Type: string;
  readonly Default?: string | number;
  readonly Description?: string;
  readonly AllowedPattern?: string;
  readonly ConstraintDescription?: string;
  readonly MaxLength?: number;
  readonly AllowedValues?: readonly (string | number)[];
}

export interface CfnResource {
  readonly Type: string;
  readonly Condition?: string;
  readonly DependsOn?: string | readonly string[];
  readonly Properties?: { readonly [key: string]: Json };
  readonly Metadata?: { readonly [key: string]: Json };
}

export interface CfnRule {
  readonly RuleCondition?: Json;
  readonly Assertions: readonly { readonly Assert: Json; readonly AssertDescription?: string }[];
}

export interface CfnTemplate {
  readonly Metadata?: { readonly [key: string]: Json };
  readonly Rules?: { readonly [name: string]: CfnRule };
  readonly Mappings?: { readonly [name: string]: { readonly [key: string]: { readonly [key: string]: Json } } };
  readonly Parameters: { readonly [name: string]: CfnParameter };
  readonly Conditions: { readonly [name: string]: Json };
  readonly Resources: { readonly [name: string]: CfnResource };
  readonly Outputs: { readonly [name: string]: { readonly Condition?: string; readonly Value: Json } };
}

const INTRINSICS = ['Ref', 'Condition', 'Base64', 'Cidr', 'FindInMap', 'GetAtt', 'GetAZs', 'ImportValue', 'Join',
  'Select', 'Split', 'Sub', 'Transform', 'If', 'Equals', 'Not', 'And', 'Or', 'Contains', 'EachMemberEquals',
  'EachMemberIn', 'RefAll', 'ValueOf', 'ValueOfAll', 'ToJsonString', 'Length'];

function cfnTags(): Tags {
  return INTRINSICS.flatMap((name) => {
    const key = name === 'Ref' || name === 'Condition' ? name : `Fn::${name}`;
    // `!GetAtt A.B` is the short form of `{ 'Fn::GetAtt': ['A', 'B'] }`.
    const wrap = (value: unknown) =>
      name === 'GetAtt' && typeof value === 'string' ? { [key]: value.split(/\.(.*)/s).slice(0, 2) } : { [key]: value };
    return [
      { tag: `!${name}`, resolve: (value: string) => wrap(value) },
      { tag: `!${name}`, collection: 'seq' as const, resolve: (seq: { toJSON(): unknown }) => wrap(seq.toJSON()) },
      { tag: `!${name}`, collection: 'map' as const, resolve: (map: { toJSON(): unknown }) => wrap(map.toJSON()) },
    ];
  }) as Tags;
}

export function loadTemplate(path: string): CfnTemplate {
  const template = parse(readFileSync(path, 'utf8'), { customTags: cfnTags() }) as CfnTemplate | null;
  if (!template?.Resources) throw new Error(`${path} is not a CloudFormation template (no Resources)`);
  return { ...template, Parameters: template.Parameters ?? {}, Conditions: template.Conditions ?? {}, Outputs: template.Outputs ?? {} };
}

/** Parameter values a stack gets; a list parameter's value is its items, as `!Ref` gives them. */
export type ParameterValues = Readonly<Record<string, string | readonly string[]>>;

/** Every parameter with a default, at that default (parameters without one are left out). */
export function parameterDefaults(template: CfnTemplate): ParameterValues {
  const values: Record<string, string | readonly string[]> = {};
  for (const [name, parameter] of Object.entries(template.Parameters)) {
    if (parameter.Default === undefined) continue;
    const value = String(parameter.Default);
    values[name] = parameter.Type === 'CommaDelimitedList' ? value.split(',') : value;
  }
  return values;
}

/**
 * Evaluates condition `name` of `template` with `values`. Supports what conditions over parameters
 * use (Equals, Not, And, Or, Condition, Join, Ref); a Ref to anything without a value throws, so a
 * condition that depends on the Region cannot pass for one that depends on parameters.
 */
export function evaluateCondition(template: CfnTemplate, name: string, values: ParameterValues): boolean {
  const expression = template.Conditions[name];
  if (expression === undefined) throw new Error(`no condition named ${name}`);
  return evaluate(template, name, expression, values);
}

/**
 * The AssertDescriptions of rule `name`'s assertions that fail with `values` (none when its
 * RuleCondition is false): what CloudFormation would refuse the stack with before creating anything.
 * Supports the rule functions over parameters: Equals, Not, And, Or, Contains, EachMemberEquals.
 */
export function failedAssertions(template: CfnTemplate, name: string, values: ParameterValues): string[] {
  const rule = template.Rules?.[name];
  if (rule === undefined) throw new Error(`no rule named ${name}`);
  if (rule.RuleCondition !== undefined && !evaluate(template, name, rule.RuleCondition, values)) return [];
  return rule.Assertions.filter((a) => !evaluate(template, name, a.Assert, values)).map((a) => a.AssertDescription ?? JSON.stringify(a.Assert));
}

function evaluate(template: CfnTemplate, name: string, expression: Json, values: ParameterValues): boolean {
  return truth(expression);

  function truth(node: Json): boolean {
    const [fn, args] = intrinsic(node);
    switch (fn) {
      case 'Fn::Equals': {
        const [a, b] = list(args, 2) as [Json, Json];
        return JSON.stringify(value(a)) === JSON.stringify(value(b));
      }
      case 'Fn::Not':
        return !truth(list(args, 1)[0] as Json);
      case 'Fn::And':
        return list(args).every(truth);
      case 'Fn::Or':
        return list(args).some(truth);
      case 'Condition':
        return evaluateCondition(template, String(args), values);
      case 'Fn::Contains': {
        const [items, item] = list(args, 2) as [Json, Json];
        return [value(items)].flat().includes(String(value(item)));
      }
      case 'Fn::EachMemberEquals': {
        const [items, item] = list(args, 2) as [Json, Json];
        return [value(items)].flat().every((member) => member === String(value(item)));
      }
      default:
        throw new Error(`cannot evaluate ${JSON.stringify(node)} in condition ${name}`);
    }
  }

  function value(node: Json): string | readonly string[] {
    if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') return String(node);
    const [fn, args] = intrinsic(node);
    if (fn === 'Ref') {
      const found = values[String(args)];
      if (found === undefined) throw new Error(`condition ${name} refers to ${String(args)}, which has no value here`);
      return found;
    }
    if (fn === 'Fn::Join') {
      const [separator, items] = list(args, 2) as [Json, Json];
      const parts = Array.isArray(items) ? items.flatMap((item) => value(item)) : value(items);
      return [parts].flat().join(String(separator));
    }
    throw new Error(`cannot evaluate ${JSON.stringify(node)} in condition ${name}`);
  }
}

function intrinsic(node: Json): [string, Json] {
  if (node === null || typeof node !== 'object' || Array.isArray(node) || Object.keys(node).length !== 1) {
    throw new Error(`expected an intrinsic function, got ${JSON.stringify(node)}`);
  }
  const [entry] = Object.entries(node);
  return entry as [string, Json];
}

function list(args: Json, length?: number): Json[] {
  if (!Array.isArray(args) || (length !== undefined && args.length !== length)) {
    throw new Error(`expected ${length ?? 'a list of'} arguments, got ${JSON.stringify(args)}`);
  }
  return args;
}
