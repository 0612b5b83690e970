import { Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Renders a (possibly tokenized) ARN the way cdk-nag 3 names it in an IAM5 finding:
 * `Fn::GetAtt` as `<LogicalId.Attr>`, `Ref` as `<LogicalId>`, joins concatenated.
 * Internal helper (not exported from the package).
 */
export function nagResource(scope: IConstruct, arn: string): string {
  const render = (v: any): string => {
    if (typeof v === 'string') return v;
    if (v && typeof v === 'object') {
      if (v.Ref !== undefined) return `<${v.Ref}>`;
      if (v['Fn::GetAtt'] !== undefined) return `<${v['Fn::GetAtt'].join('.')}>`;
      if (v['Fn::Join'] !== undefined) return v['Fn::Join'][1].map(render).join(v['Fn::Join'][0]);
    }
    return JSON.stringify(v);
  };
  return render(Stack.of(scope).resolve(arn));
}
