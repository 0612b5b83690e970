// Internal helper (not re-exported from src/index.ts).
import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

function render(value: any): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(render).join('');
  if (value && typeof value === 'object') {
    if ('Ref' in value) return `<${value.Ref}>`;
    if ('Fn::GetAtt' in value) return `<${value['Fn::GetAtt'][0]}.${value['Fn::GetAtt'][1]}>`;
    if ('Fn::Join' in value) return (value['Fn::Join'][1] as any[]).map(render).join(value['Fn::Join'][0]);
  }
  return JSON.stringify(value);
}

/**
 * Renders a resource ARN (possibly with tokens) the way cdk-nag names it in an
 * IAM5 finding (`<AWS::Partition>`, `<Logical.Arn>`), so the acknowledgement
 * matches whether the stack's account and region are concrete or not.
 */
export function nagResource(scope: IConstruct, arn: string): string {
  return render(Stack.of(scope).resolve(arn));
}
