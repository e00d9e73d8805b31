import { evaluateCondition, type CfnTemplate, type Json, type ParameterValues } from './cloudformation.js';

/**
 * Resolves a property value the way CloudFormation does at deploy time, for the intrinsics the
 * template's version description uses: Ref (parameters; a resource resolves to `<LogicalId>`,
 * its physical id being unknown here), Fn::Sub with a string, Fn::Join and Fn::If (through the
 * template's Conditions). Anything else throws, so a test cannot pass on a value it did not read.
 */
export function resolveValue(template: CfnTemplate, node: Json, values: ParameterValues): string | string[] {
  if (typeof node === 'string' || typeof node === 'number' || typeof node === 'boolean') return String(node);
  if (Array.isArray(node)) return node.map((item) => scalar(resolveValue(template, item, values)));
  if (node === null || Object.keys(node).length !== 1) throw new Error(`cannot resolve ${JSON.stringify(node)}`);
  const [fn, args] = Object.entries(node)[0]!;
  switch (fn) {
    case 'Ref':
      return ref(String(args));
    case 'Fn::Sub':
      if (typeof args !== 'string') throw new Error(`cannot resolve Fn::Sub with variables: ${JSON.stringify(args)}`);
      return args.replace(/\$\{([^}!]+)\}/g, (_, name: string) => scalar(ref(name)));
    case 'Fn::Join': {
      const [separator, items] = args as [string, Json];
      const parts = Array.isArray(items) ? items.map((item) => resolveValue(template, item, values)).flat() : resolveValue(template, items, values);
      return [parts].flat().join(separator);
    }
    case 'Fn::If': {
      const [condition, yes, no] = args as [string, Json, Json];
      return resolveValue(template, evaluateCondition(template, condition, values) ? yes : no, values);
    }
    default:
      throw new Error(`cannot resolve ${fn}`);
  }

  function ref(name: string): string | string[] {
    const value = values[name];
    if (value !== undefined) return typeof value === 'string' ? value : [...value];
    if (template.Resources[name]) return `<${name}>`;
    throw new Error(`Ref ${name}: no parameter value and no such resource`);
  }
}

function scalar(value: string | string[]): string {
  if (Array.isArray(value)) throw new Error(`a list where a string is needed: ${JSON.stringify(value)}`);
  return value;
}
