import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { CfnTemplate, ParameterValues } from './cloudformation.js';

/**
 * The template as CloudFormation's AWS::Serverless-2016-10-31 transform expands it, from the
 * samtranslator Python package that cfn-lint installs (the same code the managed transform runs).
 * One Python process translates every input, in order: importing samtranslator takes seconds.
 */
export interface TranslateInput {
  /** Parameter values the translator is given (a deploy's, or the defaults). */
  readonly parameters: ParameterValues;
  /** What `sam package` writes into CodeUri: the uploaded bundle, named after its hash. */
  readonly codeUri: string;
}

const SCRIPT = `
import json, sys
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

class NoManagedPolicies:
    # The template names its policies by ARN; nothing to look up in IAM.
    def load(self):
        return {}

request = json.load(open(sys.argv[1]))
text = open(request["template"]).read()
out = []
for item in request["inputs"]:
    template = yaml_parse(text)
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Serverless::Function":
            resource["Properties"]["CodeUri"] = item["codeUri"]
    out.append(transform(template, item["parameters"], NoManagedPolicies()))
json.dump(out, sys.stdout)
`;

export async function samTranslate(templatePath: string, inputs: readonly TranslateInput[]): Promise<CfnTemplate[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sam-translate-'));
  const request = join(dir, 'request.json');
  writeFileSync(request, JSON.stringify({ template: templatePath, inputs }));
  try {
    const { stdout } = await promisify(execFile)('python3', ['-c', SCRIPT, request], {
      // The translator fills in AWS::Region and AWS::Partition from the session's Region.
      env: { ...process.env, AWS_DEFAULT_REGION: 'eu-west-1' },
      maxBuffer: 64 * 1024 * 1024,
    }).catch((error: Error & { code?: string; stderr?: string }) => {
      if (error.code === 'ENOENT') throw new Error('python3 is not on PATH; the SAM translator check needs it with samtranslator (`pip install cfn-lint` installs both)');
      throw new Error(`samtranslator failed: ${error.stderr ?? error.message}`);
    });
    return JSON.parse(stdout) as CfnTemplate[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
