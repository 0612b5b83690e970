// Internal helper (not exported from the package index).
import { createHash } from 'crypto';
import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * The logical id CloudFormation resources get when they are created as an L1 with construct id
 * `id` directly in `scope` (CDK's documented scheme: the path below the stack, made alphanumeric,
 * plus the first 8 hex digits of the MD5 of the path). Used to keep a resource's logical id when
 * an L1 is replaced by an L2 (whose L1 child is called `Resource`, which changes the hash): a new
 * logical id would make CloudFormation replace the resource.
 */
export function legacyLogicalId(scope: IConstruct, id: string): string {
  const stack = Stack.of(scope);
  const scopes = scope.node.scopes;
  const components = [...scopes.slice(scopes.indexOf(stack) + 1).map((c) => c.node.id), id].filter((c) => c !== 'Default');
  const hash = createHash('md5').update(components.join('/')).digest('hex').slice(0, 8).toUpperCase();
  const human: string[] = [];
  for (const c of components) {
    if (human.length === 0 || !human[human.length - 1].endsWith(c)) human.push(c);
  }
  return human.filter((c) => c !== 'Resource').map((c) => c.replace(/[^A-Za-z0-9]/g, '')).join('').slice(0, 240) + hash;
}
