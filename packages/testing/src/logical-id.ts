import { CfnElement, Stack } from 'aws-cdk-lib';

/**
 * What {@link logicalId} accepts: any construct (an L1 or a construct with a
 * CloudFormation default child). `undefined` is accepted so optional members
 * (`construct.role`) can be passed as they are; it fails with a clear message.
 */
export type LogicalIdSource = { readonly node: { readonly defaultChild?: unknown; readonly path?: string } } | undefined;

/**
 * The logical id `stack` gives a construct's CloudFormation resource: the
 * construct itself when it is an L1 (`CfnElement`), otherwise its `defaultChild`.
 * Fails naming the construct path when there is neither, so a test never looks
 * up `Resources[undefined]`.
 */
export function logicalId(stack: Stack, c: LogicalIdSource): string {
  if (c === undefined) {
    throw new Error('logicalId: no construct given (an optional member that is not set?)');
  }
  if (CfnElement.isCfnElement(c)) {
    return stack.getLogicalId(c);
  }
  const child = c.node.defaultChild;
  if (child && CfnElement.isCfnElement(child)) {
    return stack.getLogicalId(child);
  }
  throw new Error(`logicalId: ${c.node.path ?? '(no path)'} is not a CloudFormation element and has no CloudFormation default child`);
}
