/**
 * Helpers for token tests: a prop given as a CloudFormation parameter must neither crash
 * synthesis nor vanish from the template.
 */
import { CfnParameter, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';

/** A number token (a `Number` parameter named `name`). */
export function numberParameter(stack: Stack, name: string): number {
  return new CfnParameter(stack, name, { type: 'Number' }).valueAsNumber;
}

/** A string token (a `String` parameter named `name`). */
export function stringParameter(stack: Stack, name: string): string {
  return new CfnParameter(stack, name, { type: 'String' }).valueAsString;
}

/** A list token (a `CommaDelimitedList` parameter named `name`). */
export function listParameter(stack: Stack, name: string): string[] {
  return new CfnParameter(stack, name, { type: 'CommaDelimitedList' }).valueAsList;
}

/** Where the template uses parameter `name` (JSON paths of every `{ Ref: name }`). */
export function parameterUses(template: Template | any, name: string): string[] {
  const json = template instanceof Template ? template.toJSON() : template;
  const uses: string[] = [];
  const walk = (v: any, path: string) => {
    if (Array.isArray(v)) {v.forEach((x, i) => walk(x, `${path}[${i}]`));} else if (v && typeof v === 'object') {
      if (v.Ref === name) uses.push(path);
      for (const [k, x] of Object.entries(v)) walk(x, `${path}.${k}`);
    } else if (typeof v === 'string' && v.includes(`\${${name}}`)) {uses.push(path);}
  };
  walk(json.Resources ?? {}, 'Resources');
  walk(json.Outputs ?? {}, 'Outputs');
  return uses;
}

/** Fails unless the template uses parameter `name` (the token reached CloudFormation). */
export function expectParameterUsed(template: Template | any, name: string, where?: RegExp): void {
  const uses = parameterUses(template, name);
  if (uses.length === 0) throw new Error(`parameter ${name} is not used anywhere in the template: the token was dropped`);
  if (where && !uses.some((u) => where.test(u))) throw new Error(`parameter ${name} is used at ${uses.join(', ')}, not at ${where}`);
}
