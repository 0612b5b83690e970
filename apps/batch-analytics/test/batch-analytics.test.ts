import { NagPackName } from '@analytics-patterns/core';
import {
  AccessModel, allPaths, expectNagClean, expectValidAsl, normalizeTemplate, OTHER_ACCOUNT, Principals, runNag,
  stateMachineDefinitions, testApp,
} from '@analytics-patterns/testing';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import { BatchAnalyticsStack } from '../src';
// the ASL helpers live with the processing package's tests

function synth(app: App = testApp()) {
  const stack = new BatchAnalyticsStack(app, 'BatchAnalytics');
  return { stack, template: Template.fromStack(stack) };
}

describe('BatchAnalyticsStack', () => {
  const { stack, template } = synth();
  const defs = stateMachineDefinitions(template);

  test('four state machines (EMR job, EMR Serverless job, daily and weekly pipelines), all valid ASL', () => {
    expect(Object.keys(defs)).toHaveLength(4);
    Object.values(defs).forEach(expectValidAsl);
  });

  test('weekly schedule runs the EMR job after the raw-zone precondition; daily copies the web logs', () => {
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 3 ? * SUN *)' });
    template.hasResourceProperties('AWS::Scheduler::Schedule', { ScheduleExpression: 'cron(0 1 * * ? *)' });
    const weekly = Object.entries<any>(defs).find(([id]) => id.startsWith('Pipelineweekly'))![1];
    expect(weekly.StartAt).toBe('emr-analysis precondition 1');
    expect(weekly.States['emr-analysis precondition 1'].Parameters.Prefix).toBe('raw/weblogs/');
    expect(weekly.States['emr-analysis'].Resource).toBe('arn:aws:states:::states:startExecution.sync:2');
    expect(weekly.States['emr-analysis'].Parameters.StateMachineArn).toMatch(/^REF_WeeklyAnalysisStateMachine/);
    const daily = Object.entries<any>(defs).find(([id]) => id.startsWith('Pipelinedaily'))![1];
    expect(daily.States['copy-logs'].Parameters.Targets).toEqual([{ Key: 'tag:role', Values: ['web'] }]);
    expect(daily.States['copy-logs'].Parameters.Parameters.commands[0]).toMatch(/^aws s3 sync \/var\/log\/webapp\/ s3:\/\/REF_RawZone.*\/raw\/weblogs\/dt=\$\(date -u \+%F\)\/ /);
  });

  test('the EMR job reads the raw zone, writes Parquet to the curated zone and always terminates its cluster', () => {
    const job = Object.entries<any>(defs).find(([id]) => id.startsWith('WeeklyAnalysis'))![1];
    const step = job.States['Step1-weblog-analysis'].Parameters.Step.HadoopJarStep.Args;
    expect(step.slice(-6)).toEqual([
      '--input', expect.stringMatching(/^s3:\/\/REF_RawZone.*\/raw\/weblogs\/$/),
      '--output', expect.stringMatching(/^s3:\/\/REF_CuratedZone.*\/curated\/weblog_daily\/$/),
      '--lookback-days', '7',
    ]);
    const create = job.States.CreateCluster.Parameters;
    expect(create.AutoTerminationPolicy).toEqual({ IdleTimeout: 1800 });
    expect(create.Instances.Ec2KeyName).toBe('analytics-patterns-emr');
    expect(create.ManagedScalingPolicy.ComputeLimits).toMatchObject({
      MinimumCapacityUnits: 2, MaximumCapacityUnits: 8, MaximumOnDemandCapacityUnits: 4, MaximumCoreCapacityUnits: 2,
    });
    for (const p of allPaths(job).filter((x) => x.includes('Step1-weblog-analysis'))) {
      expect(p.some((n) => n.startsWith('TerminateCluster'))).toBe(true);
    }
  });

  test('Glue table over the curated zone with partition projection on dt', () => {
    template.hasResourceProperties('AWS::Glue::Table', {
      DatabaseName: 'weblogs',
      TableInput: Match.objectLike({
        Name: 'weblog_daily',
        PartitionKeys: [{ Name: 'dt', Type: 'date' }],
        Parameters: Match.objectLike({ 'projection.enabled': 'true', 'projection.dt.format': 'yyyy-MM-dd', 'classification': 'parquet' }),
        StorageDescriptor: Match.objectLike({ SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' } }),
      }),
    });
  });

  test('private network: isolated subnets, no NAT, S3 gateway and interface endpoints, flow logs', () => {
    template.resourceCountIs('AWS::EC2::NatGateway', 0);
    template.hasResourceProperties('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Gateway' });
    template.resourcePropertiesCountIs('AWS::EC2::VPCEndpoint', { VpcEndpointType: 'Interface' }, 4);
    template.resourceCountIs('AWS::EC2::FlowLog', 1);
    expect(stack.job.serviceAccessSecurityGroup).toBeDefined();
  });

  test('every data store RETAINs by default; the whole app switches to DESTROY in sandbox mode', () => {
    template.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    const sandbox = synth(testApp({ sandbox: true })).template;
    sandbox.allResources('AWS::S3::Bucket', { DeletionPolicy: 'Delete', UpdateReplacePolicy: 'Delete' });
  });

  test('endpoints accept HTTPS from the EMR nodes only', () => {
    template.resourcePropertiesCountIs('AWS::EC2::SecurityGroupIngress', {
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      GroupId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^EndpointSecurityGroup'), 'GroupId'] },
    }, 2);
  });

  test('the VPC\'s default security group is closed (issue 15): its rules are revoked at deploy; no pack reports it', () => {
    template.resourceCountIs('Custom::VpcRestrictDefaultSG', 1);
    template.hasResourceProperties('Custom::VpcRestrictDefaultSG', {
      DefaultSecurityGroupId: { 'Fn::GetAtt': [stack.getLogicalId(stack.vpc.node.defaultChild as any), 'DefaultSecurityGroup'] },
    });
    const compliance = [NagPackName.NIST_800_53_R5, NagPackName.HIPAA_SECURITY, NagPackName.PCI_DSS_321];
    const report = runNag(synth(testApp()).stack.node.scope as any, compliance);
    expect(report.findings.filter((f) => /VPCDefaultSecurityGroupClosed/.test(f.rule))).toEqual([]);
  });

  describe('run-time permissions of the scheduled pipeline, the EMR roles and the notifications', () => {
    const access = AccessModel.of(stack);
    const account = '123456789012';
    const smArn = (sm: any) => sm.stateMachineArn as string;
    const daily = stack.pipeline.stateMachines['daily-copy-logs'];
    const weekly = stack.pipeline.stateMachines['weekly-emr-analysis'];
    const topic = stack.notifications.topic.topicArn;
    const key = stack.notifications.encryptionKey.keyArn;
    const viaSns = { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' };
    const rawLog = stack.raw.bucket.arnForObjects('raw/weblogs/dt=2026-11-29/web-1.json');
    const curatedPart = stack.curated.bucket.arnForObjects('curated/weblog_daily/dt=2026-11-29/part-0000.parquet');

    test('the weekly pipeline checks the raw prefix, runs the EMR job state machine and may stop it', async () => {
      const role = weekly.role.roleArn;
      await access.expectAllowed(
        { principal: role, action: 's3:ListBucket', resource: stack.raw.bucket.bucketArn, context: { 's3:prefix': 'raw/weblogs/' } },
        { principal: role, action: 'states:StartExecution', resource: smArn(stack.job.stateMachine) },
        { principal: role, action: 'states:DescribeExecution', resource: `arn:aws:states:eu-west-1:${account}:execution:${access.resolve(stack.job.stateMachine.stateMachineName)}:run-1` },
        { principal: role, action: 'states:StopExecution', resource: `arn:aws:states:eu-west-1:${account}:execution:${access.resolve(stack.job.stateMachine.stateMachineName)}:run-1` },
      );
      await access.expectDenied(
        { principal: role, action: 'states:StartExecution', resource: smArn(stack.serverlessJob.stateMachine) },
        { principal: role, action: 's3:GetObject', resource: rawLog },
      );
    });

    test('the daily pipeline runs the copy command on the tagged web servers only', async () => {
      const role = daily.role.roleArn;
      // AWS-owned documents have account-less ARNs, which the simulator does not take: the statement is asserted whole
      const policy = Object.values<any>(template.findResources('AWS::IAM::Policy'))
        .find((p) => JSON.stringify(p.Properties.Roles).includes(stack.getLogicalId(daily.role.node.defaultChild as any)))!;
      expect(policy.Properties.PolicyDocument.Statement).toContainEqual({
        Action: 'ssm:sendCommand',
        Effect: 'Allow',
        Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ssm:', { Ref: 'AWS::Region' }, '::document/AWS-RunShellScript']] },
      });
      await access.expectAllowed(
        { principal: role, action: 'ssm:SendCommand', resource: `arn:aws:ec2:eu-west-1:${account}:instance/i-0123456789abcdef0`, context: { 'ssm:resourceTag/role': 'web' } },
      );
      await access.expectDenied(
        { principal: role, action: 'ssm:SendCommand', resource: `arn:aws:ec2:eu-west-1:${account}:instance/i-0123456789abcdef0`, context: { 'ssm:resourceTag/role': 'db' } },
        { principal: role, action: 'ssm:SendCommand', resource: `arn:aws:ssm:eu-west-1:${account}:document/SomeoneElsesDocument` },
      );
    });

    test('every failure notifier (both pipelines, both jobs) may publish to the encrypted topic and use its key through SNS', async () => {
      for (const sm of [daily, weekly, stack.job.stateMachine, stack.serverlessJob.stateMachine]) {
        await access.expectAllowed(
          { principal: sm.role.roleArn, action: 'sns:Publish', resource: topic },
          { principal: sm.role.roleArn, action: 'kms:GenerateDataKey', resource: key, context: viaSns },
          { principal: sm.role.roleArn, action: 'kms:Decrypt', resource: key, context: viaSns },
        );
      }
      await access.expectDenied(
        { principal: Principals.strangerInAccount(), action: 'sns:Publish', resource: topic },
        { ...Principals.otherAccountAdmin(), action: 'sns:Publish', resource: topic },
      );
      await access.expectExplicitlyDenied({ principal: weekly.role.roleArn, action: 'sns:Publish', resource: topic, context: { 'aws:SecureTransport': 'false' } });
    });

    test('EventBridge Scheduler starts each pipeline state machine for its own schedule group only', async () => {
      for (const sm of [daily, weekly]) {
        const schedule = Object.values<any>(template.findResources('AWS::Scheduler::Schedule'))
          .find((r) => JSON.stringify(r.Properties.Target.Arn).includes(stack.getLogicalId(sm.node.defaultChild as any)))!;
        const role = access.resolve(schedule.Properties.Target.RoleArn) as string;
        await access.expectAllowed({ principal: role, action: 'states:StartExecution', resource: smArn(sm) });
        await access.expectDenied(
          { principal: role, action: 'states:StartExecution', resource: smArn(stack.serverlessJob.stateMachine) },
          { principal: 'scheduler.amazonaws.com', action: 'sts:AssumeRole', resource: role, context: { 'aws:SourceAccount': OTHER_ACCOUNT } },
        );
      }
    });

    test('the EMR roles: nodes read raw/weblogs/ and write curated/weblog_daily/ with the key; the service role trusts EMR of this account', async () => {
      const nodes = stack.job.instanceRole.roleArn;
      await access.expectAllowed(
        { principal: nodes, action: 's3:GetObject', resource: rawLog },
        { principal: nodes, action: 's3:PutObject', resource: curatedPart },
        { principal: nodes, action: 'kms:GenerateDataKey', resource: key, context: { 'kms:ViaService': 's3.eu-west-1.amazonaws.com' } },
        { principal: 'ec2.amazonaws.com', action: 'sts:AssumeRole', resource: nodes },
        {
          principal: 'elasticmapreduce.amazonaws.com',
          action: 'sts:AssumeRole',
          resource: stack.job.serviceRole.roleArn,
          context: { 'aws:SourceAccount': account, 'aws:SourceArn': `arn:aws:elasticmapreduce:eu-west-1:${account}:cluster/j-ABCDEFGHIJKL` },
        },
      );
      await access.expectDenied(
        { principal: nodes, action: 's3:PutObject', resource: rawLog },
        { principal: nodes, action: 's3:GetObject', resource: stack.raw.bucket.arnForObjects('raw/other/x.json') },
        { principal: nodes, action: 's3:PutObject', resource: stack.curated.bucket.arnForObjects('curated/weblog_daily_serverless/x.parquet') },
        {
          principal: 'elasticmapreduce.amazonaws.com',
          action: 'sts:AssumeRole',
          resource: stack.job.serviceRole.roleArn,
          context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': `arn:aws:elasticmapreduce:eu-west-1:${OTHER_ACCOUNT}:cluster/j-ABCDEFGHIJKL` },
        },
      );
    });

    test('flow logs (issue 9): the delivery role trusts the flow-logs service of this account only and writes to its log group only', async () => {
      const role = stack.vpc.node.findChild('FlowLogsRole') as iam.Role;
      const logGroup = stack.node.findChild('FlowLogGroup') as logs.LogGroup;
      // the log group is stateful: its logical id is the one it had before the role changed
      expect(stack.getLogicalId(logGroup.node.defaultChild as logs.CfnLogGroup)).toBe('FlowLogGroup3E25AA51');
      const trust = template.toJSON().Resources[stack.getLogicalId(role.node.defaultChild as iam.CfnRole)].Properties.AssumeRolePolicyDocument;
      expect(trust.Statement).toEqual([{
        Effect: 'Allow',
        Principal: { Service: 'vpc-flow-logs.amazonaws.com' },
        Action: 'sts:AssumeRole',
        Condition: {
          StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } },
          ArnLike: {
            'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':ec2:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':vpc-flow-log/*']] },
          },
        },
      }]);
      const assume = { principal: 'vpc-flow-logs.amazonaws.com', action: 'sts:AssumeRole', resource: role.roleArn };
      await access.expectAllowed({ ...assume, context: { 'aws:SourceAccount': account, 'aws:SourceArn': `arn:aws:ec2:eu-west-1:${account}:vpc-flow-log/fl-0123456789abcdef0` } });
      await access.expectDenied(
        { ...assume, context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': `arn:aws:ec2:eu-west-1:${OTHER_ACCOUNT}:vpc-flow-log/fl-0123456789abcdef0` } },
        { ...assume, context: { 'aws:SourceAccount': account, 'aws:SourceArn': `arn:aws:ec2:eu-west-1:${OTHER_ACCOUNT}:vpc-flow-log/fl-0123456789abcdef0` } },
        assume,
        { ...Principals.roleAssumer('Developer'), action: 'sts:AssumeRole', resource: role.roleArn },
      );
      const stream = (group: string) => `arn:aws:logs:eu-west-1:${account}:log-group:${group}:log-stream:eni-0123456789abcdef0-reject`;
      await access.expectAllowed({ principal: role.roleArn, action: 'logs:PutLogEvents', resource: stream(access.resolve(logGroup.logGroupName)) });
      await access.expectDenied(
        { principal: role.roleArn, action: 'logs:PutLogEvents', resource: stream('/aws/other') },
        { principal: Principals.strangerInAccount(), action: 'logs:PutLogEvents', resource: stream(access.resolve(logGroup.logGroupName)) },
      );
    });

    test('the zones refuse strangers, other accounts, unsigned and plain-HTTP requests', async () => {
      for (const object of [rawLog, curatedPart]) {
        await access.expectDenied(
          { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: object },
          { ...Principals.otherAccountAdmin(), action: 's3:GetObject', resource: object },
          { principal: Principals.anonymous, action: 's3:GetObject', resource: object },
        );
        await access.expectExplicitlyDenied({ principal: stack.job.instanceRole.roleArn, action: 's3:GetObject', resource: object, context: { 'aws:SecureTransport': 'false' } });
      }
    });
  });

  test('snapshot', () => {
    expect(normalizeTemplate(template.toJSON())).toMatchSnapshot();
  });

  test('cdk-nag, all four packs: clean, and no EMR rule is acknowledged', () => {
    const fresh = new BatchAnalyticsStack(testApp(), 'BatchAnalytics');
    const report = expectNagClean(fresh);
    expect(report.acknowledged.filter((a) => /^AwsSolutions-EMR\d/.test(a.rule))).toEqual([]);
  });
});
