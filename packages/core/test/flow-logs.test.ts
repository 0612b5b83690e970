import { AccessModel, expectNagClean, OTHER_ACCOUNT, Principals, testStack } from '@analytics-patterns/testing';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { CustomerManagedPolicies, VpcFlowLogs } from '../src';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const OWN_FLOW_LOG = `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-flow-log/fl-0123456789abcdef0`;
const fromOwnFlowLog = { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': OWN_FLOW_LOG };

/** A VPC whose rejected traffic goes to an encrypted log group through the helper, and a second log group. */
function flowLogs() {
  const stack = testStack();
  const key = new kms.Key(stack, 'Key', { enableKeyRotation: true });
  const vpc = new ec2.Vpc(stack, 'Vpc', {
    maxAzs: 1, natGateways: 0, subnetConfiguration: [{ name: 'isolated', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }], restrictDefaultSecurityGroup: true,
  });
  const logGroup = new logs.LogGroup(stack, 'FlowLogGroup', { encryptionKey: key, retention: logs.RetentionDays.THREE_MONTHS });
  const other = new logs.LogGroup(stack, 'OtherLogGroup', { encryptionKey: key, retention: logs.RetentionDays.THREE_MONTHS });
  const flowLog = vpc.addFlowLog('FlowLogs', { destination: VpcFlowLogs.toCloudWatchLogs(vpc, 'FlowLogsRole', logGroup), trafficType: ec2.FlowLogTrafficType.REJECT });
  const role = vpc.node.findChild('FlowLogsRole') as iam.Role;
  return { stack, vpc, logGroup, other, flowLog, role, template: Template.fromStack(stack) };
}

describe('VpcFlowLogs', () => {
  test('the delivery role trusts vpc-flow-logs.amazonaws.com only for flow logs of this account and region (trust policy whole)', () => {
    const { stack, role, template } = flowLogs();
    const props = template.toJSON().Resources[stack.getLogicalId(role.node.defaultChild as iam.CfnRole)].Properties;
    expect(props.AssumeRolePolicyDocument).toEqual({
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': ACCOUNT },
          // the stack's region fixes the partition (an environment-agnostic stack: see below)
          ArnLike: { 'aws:SourceArn': `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc-flow-log/*` },
        },
      }],
    });
  });

  test('the flow log uses the role; its policy writes to its own log group only, one statement (policy whole)', () => {
    const { stack, role, logGroup, flowLog, template } = flowLogs();
    const roleArn = { 'Fn::GetAtt': [stack.getLogicalId(role.node.defaultChild as iam.CfnRole), 'Arn'] };
    expect(template.toJSON().Resources[stack.getLogicalId(flowLog.node.defaultChild as ec2.CfnFlowLog)].Properties).toEqual(expect.objectContaining({
      DeliverLogsPermissionArn: roleArn,
      LogDestinationType: 'cloud-watch-logs',
      LogGroupName: { Ref: stack.getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup) },
      TrafficType: 'REJECT',
    }));
    // aws-cdk-lib adds the same statement when it binds the destination: it is merged, not repeated
    const policies = Object.values<any>(template.findResources('AWS::IAM::Policy')).filter((p) => p.Properties.Roles[0].Ref === roleArn['Fn::GetAtt'][0]);
    expect(policies.map((p) => p.Properties.PolicyDocument)).toEqual([{
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Allow',
        Action: ['logs:CreateLogStream', 'logs:PutLogEvents', 'logs:DescribeLogStreams'],
        Resource: { 'Fn::GetAtt': [stack.getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup), 'Arn'] },
      }],
    }]);
  });

  test('run time: the service may assume the role for this account\'s flow logs only; the role writes to its log group only', async () => {
    const { stack, role, logGroup, other } = flowLogs();
    const access = AccessModel.of(stack);
    const streamOf = (group: logs.LogGroup) => `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:${access.resolve(group.logGroupName)}:log-stream:eni-0123456789abcdef0-reject`;
    const assume = { action: 'sts:AssumeRole', resource: role.roleArn };
    await access.expectAllowed({ principal: 'vpc-flow-logs.amazonaws.com', ...assume, context: fromOwnFlowLog });
    await access.expectDenied(
      // confused deputy: a flow log of another account, or one claiming our account with a foreign ARN
      { principal: 'vpc-flow-logs.amazonaws.com', ...assume, context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': `arn:aws:ec2:${REGION}:${OTHER_ACCOUNT}:vpc-flow-log/fl-0123456789abcdef0` } },
      { principal: 'vpc-flow-logs.amazonaws.com', ...assume, context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:ec2:${REGION}:${OTHER_ACCOUNT}:vpc-flow-log/fl-0123456789abcdef0` } },
      // another region of this account, another resource type, no source at all
      { principal: 'vpc-flow-logs.amazonaws.com', ...assume, context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:ec2:us-east-1:${ACCOUNT}:vpc-flow-log/fl-0123456789abcdef0` } },
      { principal: 'vpc-flow-logs.amazonaws.com', ...assume, context: { 'aws:SourceAccount': ACCOUNT, 'aws:SourceArn': `arn:aws:ec2:${REGION}:${ACCOUNT}:vpc/vpc-0123456789abcdef0` } },
      { principal: 'vpc-flow-logs.amazonaws.com', ...assume },
      // other principals
      { principal: 'delivery.logs.amazonaws.com', ...assume, context: fromOwnFlowLog },
      { ...Principals.roleAssumer('Developer'), ...assume },
      { ...Principals.otherAccountAdmin(), ...assume },
    );
    await access.expectAllowed(
      { principal: role.roleArn, action: 'logs:CreateLogStream', resource: streamOf(logGroup) },
      { principal: role.roleArn, action: 'logs:PutLogEvents', resource: streamOf(logGroup) },
    );
    await access.expectDenied(
      { principal: role.roleArn, action: 'logs:PutLogEvents', resource: streamOf(other) },
      { principal: role.roleArn, action: 'logs:CreateLogStream', resource: streamOf(other) },
      { principal: role.roleArn, action: 'logs:CreateLogGroup', resource: `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:anything` },
      { principal: Principals.strangerInAccount(), action: 'logs:PutLogEvents', resource: streamOf(logGroup) },
    );
  });

  test('the partition and region follow the stack (no hard-coded aws partition)', () => {
    const stack = new Stack(undefined, 'Agnostic');
    const role = VpcFlowLogs.deliveryRole(stack, 'Role', new logs.LogGroup(stack, 'Logs'));
    const trust = stack.resolve((role.node.defaultChild as iam.CfnRole).assumeRolePolicyDocument).Statement[0].Condition;
    expect(trust).toEqual({
      StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
      ArnLike: { 'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':vpc-flow-log/*']] } },
    });
  });

  test('cdk-nag: all four packs clean (inline policy acknowledged by the customer-managed-policies switch)', () => {
    const { stack } = flowLogs();
    CustomerManagedPolicies.apply(stack);
    expectNagClean(stack);
  });
});
