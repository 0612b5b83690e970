import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The service that assumes the delivery role of flow logs published to CloudWatch Logs. */
const FLOW_LOGS_SERVICE = 'vpc-flow-logs.amazonaws.com';

/**
 * Actions the flow-logs service needs on its log group. AWS lists `logs:CreateLogGroup` and
 * `logs:DescribeLogGroups` on `*` as well; they are not needed when the log group exists (it is
 * created with the stack), so the role may only create streams in, describe the streams of and
 * write to its own log group.
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
 */
const DELIVERY_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'];

/**
 * VPC Flow Logs published to CloudWatch Logs with a delivery role that guards against the
 * confused deputy problem. aws-cdk-lib's default role trusts `vpc-flow-logs.amazonaws.com`
 * without conditions, so the service could be made to use it for another account's flow logs;
 * this role's trust policy carries the conditions AWS recommends: `aws:SourceAccount` = this
 * account and `aws:SourceArn` like `arn:<partition>:ec2:<region>:<account>:vpc-flow-log/*` (the
 * flow log's id is not known before the role exists, hence the wildcard AWS documents).
 *
 * ```ts
 * vpc.addFlowLog('FlowLogs', { destination: VpcFlowLogs.toCloudWatchLogs(vpc, 'FlowLogsRole', logGroup) });
 * ```
 * @see https://docs.aws.amazon.com/vpc/latest/userguide/flow-logs-iam-role.html
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/confused-deputy.html
 */
export class VpcFlowLogs {
  /**
   * A flow-log destination that publishes to `logGroup` with a new {@link VpcFlowLogs.deliveryRole}
   * created as `id` in `scope`.
   */
  public static toCloudWatchLogs(scope: Construct, id: string, logGroup: logs.ILogGroup): ec2.FlowLogDestination {
    return ec2.FlowLogDestination.toCloudWatchLogs(logGroup, VpcFlowLogs.deliveryRole(scope, id, logGroup));
  }

  /**
   * The role the flow-logs service assumes to publish to `logGroup`: assumable only for flow
   * logs of this account and region, allowed to write to `logGroup` only.
   */
  public static deliveryRole(scope: Construct, id: string, logGroup: logs.ILogGroup): iam.Role {
    const stack = Stack.of(scope);
    const role = new iam.Role(scope, id, {
      description: 'Publishes VPC flow logs of this account to one CloudWatch Logs log group',
      assumedBy: new iam.ServicePrincipal(FLOW_LOGS_SERVICE, {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'ec2', resource: 'vpc-flow-log', resourceName: '*' }) },
        },
      }),
    });
    // the same statement aws-cdk-lib adds when the destination is bound (identical statements are merged)
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: DELIVERY_ACTIONS, resources: [logGroup.logGroupArn] }));
    return role;
  }

  private constructor() {}
}
