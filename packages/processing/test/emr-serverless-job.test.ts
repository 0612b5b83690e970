import * as path from 'path';
import { AlarmTopic } from '@analytics-patterns/core';
import { SecureBucket } from '@analytics-patterns/storage';
import {
  AccessModel, allPaths, expectNagClean, expectParameterUsed, expectPropError, expectValidAsl, numberParameter, OTHER_ACCOUNT, Principals,
  stateMachineDefinition, stringParameter, testStack,
} from '@analytics-patterns/testing';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import { taskRequests } from './helpers';
import { EmrScript, EmrServerlessJob, EmrServerlessJobProps, ServerlessArchitecture } from '../src';

const SCRIPT = path.join(__dirname, '..', 'assets', 'emr', 'weblog_analysis.py');

function build(overrides: Partial<EmrServerlessJobProps> = {}, sandbox = false, more: (s: Stack) => Partial<EmrServerlessJobProps> = () => ({})) {
  const stack = testStack({ sandbox });
  const raw = new SecureBucket(stack, 'Raw');
  const curated = new SecureBucket(stack, 'Curated');
  const job = new EmrServerlessJob(stack, 'Job', {
    script: EmrScript.fromAsset(SCRIPT),
    arguments: ['--input', 's3://raw/raw/', '--output', 's3://curated/curated/'],
    sparkConf: { 'spark.executor.cores': '2' },
    readLocations: [{ bucket: raw.bucket, prefix: 'raw/' }],
    writeLocations: [{ bucket: curated.bucket, prefix: 'curated/' }],
    ...overrides,
    ...more(stack),
  });
  return { stack, job, raw, curated };
}

describe('EmrServerlessJob', () => {
  const { stack } = build();
  const template = Template.fromStack(stack);
  const def = stateMachineDefinition(template, 'Job');

  test('application: Spark, auto-start, auto-stop after 15 minutes, capped capacity', () => {
    template.hasResourceProperties('AWS::EMRServerless::Application', {
      Type: 'Spark',
      ReleaseLabel: 'emr-7.12.0',
      Architecture: 'X86_64',
      AutoStartConfiguration: { Enabled: true },
      AutoStopConfiguration: { Enabled: true, IdleTimeoutMinutes: 15 },
      MaximumCapacity: { Cpu: '32 vCPU', Memory: '128 GB' },
    });
  });

  test('state machine: valid ASL, optimized startJobRun.sync, failure caught', () => {
    expectValidAsl(def);
    expect(def.States.RunJob.Resource).toBe('arn:aws:states:::emr-serverless:startJobRun.sync');
    const p = def.States.RunJob.Parameters;
    expect(p.ApplicationId).toMatch(/^ATT_JobApplication.*_ApplicationId$/);
    expect(p.ExecutionTimeoutMinutes).toBe(360);
    expect(p.JobDriver.SparkSubmit.EntryPoint).toMatch(/^s3:\/\/cdk-.*\.py$/);
    expect(p.JobDriver.SparkSubmit.EntryPointArguments).toEqual(['--input', 's3://raw/raw/', '--output', 's3://curated/curated/']);
    expect(p.JobDriver.SparkSubmit.SparkSubmitParameters).toBe('--conf spark.executor.cores=2');
    expect(p.ConfigurationOverrides.MonitoringConfiguration.S3MonitoringConfiguration.LogUri).toMatch(/\/emr-serverless-logs\/$/);
    expect(def.States.RunJob.Catch).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'JobFailed' }]);
    expect(def.States.RunJob.Retry[0]).toMatchObject({ MaxAttempts: 3 });
    expect(allPaths(def).map((x) => x[x.length - 1]).sort()).toEqual(['JobFailed', 'JobSucceeded']);
  });

  test('state machine role: start and watch runs of this application only, pass only the execution role', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Sid: 'StartJobRun', Action: 'emr-serverless:StartJobRun' }),
          Match.objectLike({ Sid: 'PassExecutionRole', Action: 'iam:PassRole', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JobExecutionRole'), 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' } } }),
        ]),
      },
    });
  });

  test('execution role: only the given prefixes, the script and the log prefix', () => {
    const [policy] = Object.values<any>(template.findResources('AWS::IAM::Policy', { Properties: { PolicyName: Match.stringLikeRegexp('^JobExecutionPolicy') } }));
    const sids = policy.Properties.PolicyDocument.Statement.map((s: any) => s.Sid);
    expect(sids).toEqual(['ListRead0', 'Read0', 'ListWrite0', 'Write0', 'ReadScript', 'WriteLogs', 'UseDataKeys']);
    expect(JSON.stringify(policy)).not.toContain('"s3:*"');
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [{ Principal: { Service: 'emr-serverless.amazonaws.com' }, Condition: { StringEquals: { 'aws:SourceAccount': '123456789012' } } }] },
    });
  });

  test('VPC, architecture, notification and sandbox options', () => {
    const stack2 = testStack({ sandbox: true });
    const vpc = new ec2.Vpc(stack2, 'Vpc', { natGateways: 0, subnetConfiguration: [{ name: 'p', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    const raw = new SecureBucket(stack2, 'Raw');
    const topic = new sns.Topic(stack2, 'Topic', { enforceSSL: true, masterKey: raw.encryptionKey });
    new EmrServerlessJob(stack2, 'Job', {
      script: EmrScript.fromBucket(raw.bucket, 'scripts/a.py'),
      vpc,
      architecture: ServerlessArchitecture.ARM64,
      notificationTopic: topic,
      autoStopAfter: Duration.minutes(5),
      logBucket: raw.bucket,
      encryptionKey: raw.encryptionKey,
    });
    const t = Template.fromStack(stack2);
    t.hasResourceProperties('AWS::EMRServerless::Application', {
      Architecture: 'ARM64',
      AutoStopConfiguration: { Enabled: true, IdleTimeoutMinutes: 5 },
      NetworkConfiguration: { SubnetIds: Match.anyValue(), SecurityGroupIds: [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^JobSecurityGroup'), 'GroupId'] }] },
    });
    const d = stateMachineDefinition(t, 'Job');
    expectValidAsl(d);
    expect(d.States.RunJob.Catch[0].Next).toBe('NotifyJobFailed');
    expect(d.States.NotifyJobFailed.Next).toBe('JobFailed');
    t.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
    Template.fromStack(stack).hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain' });
  });

  test('validation errors', () => {
    const jobPath = 'TestStack/Job';
    expectPropError(() => build({ releaseLabel: 'emr-6.5.0' }), { path: jobPath, prop: 'releaseLabel', value: '"emr-6.5.0"', allowed: 'emr-6.6.0 or later' });
    expectPropError(() => build({ releaseLabel: 'latest' }), { path: jobPath, prop: 'releaseLabel', value: '"latest"', allowed: 'emr-x.y.z' });
    expectPropError(() => build({ autoStopAfter: Duration.days(8) }), { path: jobPath, prop: 'autoStopAfter', value: '11520 minutes', allowed: '1-10080 minutes' });
    expectPropError(() => build({ jobTimeout: Duration.seconds(30) }), { path: jobPath, prop: 'jobTimeout', value: '0.5', allowed: 'whole number' });
    expectPropError(() => build({ maximumVcpu: 0 }), { path: jobPath, prop: 'maximumVcpu', value: '0 vCPU', allowed: '1-1000000 vCPU' });
    expectPropError(() => build({ maximumMemoryGb: 1 }), { path: jobPath, prop: 'maximumMemoryGb', value: '1 GB', allowed: '2-1000000 GB' });
    expectPropError(() => build({ sparkConf: { 'executor.cores': '2' } }), { path: jobPath, prop: 'sparkConf', value: '"executor.cores"', allowed: 'spark.' });
    expectPropError(() => build({ vpcSubnets: { subnetType: ec2.SubnetType.PRIVATE_ISOLATED } }), { path: jobPath, prop: 'vpcSubnets', allowed: 'only together with vpc' });
  });

  test('cdk-nag, four packs: clean; AwsSolutions acknowledgements are IAM5 wildcards only', () => {
    const { stack: s } = build();
    const report = expectNagClean(s);
    expect(report.acknowledged.filter((a) => a.pack === 'AwsSolutions' && a.path.includes('/Job/')).every((a) => a.rule.startsWith('AwsSolutions-IAM5'))).toBe(true);
  });
});

describe('EmrServerlessJob run-time permissions', () => {
  const { stack, job, raw, curated } = build({
    notificationTopic: undefined,
  }, false, (s) => ({ notificationTopic: new AlarmTopic(s, 'Notifications', { encryptionKey: new kms.Key(s, 'TopicKey', { enableKeyRotation: true }) }).topic }));
  const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
  job.grantStartExecution(operator);
  const def = stateMachineDefinition(Template.fromStack(stack), 'Job');
  const access = AccessModel.of(stack);
  const role = job.stateMachine.role.roleArn;
  const topic = (stack.node.findChild('Notifications') as AlarmTopic);
  const app = `arn:aws:emr-serverless:eu-west-1:123456789012:/applications/${access.resolve(job.applicationId)}`;

  test('the state machine may do every task of its definition, publishing with the topic key included', async () => {
    const requests = taskRequests(def, role, (_task, action) => {
      if (action === 'emr-serverless:StartJobRun') return { resource: app };
      if (action.startsWith('emr-serverless:')) return { resource: `${app}/jobruns/00abc123` };
      if (action === 'sns:Publish') return { resource: topic.topic.topicArn };
      return undefined;
    });
    expect(requests.map((r) => r.action).sort()).toEqual(['emr-serverless:CancelJobRun', 'emr-serverless:GetJobRun', 'emr-serverless:StartJobRun', 'sns:Publish']);
    const viaSns = { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' };
    await access.expectAllowed(
      ...requests,
      { principal: role, action: 'kms:GenerateDataKey', resource: topic.encryptionKey.keyArn, context: viaSns },
      { principal: role, action: 'kms:Decrypt', resource: topic.encryptionKey.keyArn, context: viaSns },
      { principal: role, action: 'iam:PassRole', resource: job.executionRole.roleArn, context: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' } },
      { principal: role, action: 'events:PutRule', resource: 'arn:aws:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForEMRServerlessJobRule' },
      { principal: operator.roleArn, action: 'states:StartExecution', resource: job.stateMachine.stateMachineArn },
    );
    await access.expectDenied(
      { principal: role, action: 'iam:PassRole', resource: job.executionRole.roleArn, context: { 'iam:PassedToService': 'ec2.amazonaws.com' } },
      { principal: role, action: 'emr-serverless:StartJobRun', resource: 'arn:aws:emr-serverless:eu-west-1:123456789012:/applications/other' },
      { principal: Principals.strangerInAccount(), action: 'states:StartExecution', resource: job.stateMachine.stateMachineArn },
      { ...Principals.otherAccountAdmin(), action: 'states:StartExecution', resource: job.stateMachine.stateMachineArn },
    );
  });

  test('the execution role: trusted by EMR Serverless of this account only; reads and writes its locations with their keys', async () => {
    const exec = job.executionRole.roleArn;
    await access.expectAllowed(
      { principal: 'emr-serverless.amazonaws.com', action: 'sts:AssumeRole', resource: exec, context: { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': app } },
      { principal: exec, action: 's3:GetObject', resource: raw.bucket.arnForObjects('raw/x.json') },
      { principal: exec, action: 'kms:Decrypt', resource: raw.encryptionKey.keyArn },
      { principal: exec, action: 's3:PutObject', resource: curated.bucket.arnForObjects('curated/x.parquet') },
      { principal: exec, action: 'kms:GenerateDataKey', resource: curated.encryptionKey.keyArn },
      { principal: exec, action: 's3:PutObject', resource: job.logBucket.arnForObjects('emr-serverless-logs/applications/x/jobs/y/stdout.gz') },
      { principal: exec, action: 'kms:GenerateDataKey', resource: job.encryptionKey.keyArn },
    );
    await access.expectDenied(
      { principal: 'emr-serverless.amazonaws.com', action: 'sts:AssumeRole', resource: exec, context: { 'aws:SourceAccount': OTHER_ACCOUNT, 'aws:SourceArn': `arn:aws:emr-serverless:eu-west-1:${OTHER_ACCOUNT}:/applications/x` } },
      { principal: exec, action: 's3:PutObject', resource: raw.bucket.arnForObjects('raw/x.json') },
      { principal: exec, action: 's3:GetObject', resource: curated.bucket.arnForObjects('other/x') },
      { principal: Principals.strangerInAccount(), action: 's3:GetObject', resource: raw.bucket.arnForObjects('raw/x.json') },
      { principal: Principals.anonymous, action: 's3:GetObject', resource: raw.bucket.arnForObjects('raw/x.json') },
    );
    await access.expectExplicitlyDenied(
      { principal: exec, action: 's3:GetObject', resource: raw.bucket.arnForObjects('raw/x.json'), context: { 'aws:SecureTransport': 'false' } },
    );
  });
});

describe('EmrServerlessJob limits (both sides) and tokens', () => {
  const ok = (overrides: Partial<EmrServerlessJobProps>) => expect(() => build(overrides)).not.toThrow();
  const bad = (overrides: Partial<EmrServerlessJobProps>, prop: string, allowed: string) =>
    expectPropError(() => build(overrides), { path: 'TestStack/Job', prop, allowed });

  test('release labels, auto-stop 1-10080 minutes, job timeout 1-1000000 minutes, capacity', () => {
    ok({ releaseLabel: 'emr-6.6.0', autoStopAfter: Duration.minutes(1), jobTimeout: Duration.minutes(1), maximumVcpu: 1, maximumMemoryGb: 2 });
    ok({ releaseLabel: 'emr-7.13.0', autoStopAfter: Duration.days(7), jobTimeout: Duration.minutes(1_000_000) });
    ok({ releaseLabel: 'emr-7.14.0' });
    bad({ releaseLabel: 'emr-6.6.1' }, 'releaseLabel', 'a release EMR lists');
    bad({ autoStopAfter: Duration.minutes(10_081) }, 'autoStopAfter', '1-10080 minutes');
    bad({ jobTimeout: Duration.minutes(1_000_001) }, 'jobTimeout', '1-1000000 minutes');
    bad({ jobTimeout: Duration.seconds(0) }, 'jobTimeout', '1-1000000 minutes');
    bad({ maximumVcpu: 1_000_001 }, 'maximumVcpu', '1-1000000 vCPU');
  });

  test('capacities, timeouts and the release label as CloudFormation parameters reach the template', () => {
    const { stack } = build({}, false, (s) => ({
      releaseLabel: stringParameter(s, 'Release'),
      maximumVcpu: numberParameter(s, 'Vcpu'),
      maximumMemoryGb: numberParameter(s, 'MemoryGb'),
      autoStopAfter: Duration.minutes(numberParameter(s, 'IdleMinutes')),
      jobTimeout: Duration.minutes(numberParameter(s, 'JobMinutes')),
    }));
    const template = Template.fromStack(stack);
    expectParameterUsed(template, 'Release', /Application/);
    expectParameterUsed(template, 'IdleMinutes', /Application/);
    expectParameterUsed(template, 'JobMinutes', /StateMachine/);
    // "<n> vCPU" from a number token: the parameter, not the token's encoded value
    template.hasResourceProperties('AWS::EMRServerless::Application', {
      MaximumCapacity: { Cpu: { 'Fn::Join': ['', [{ Ref: 'Vcpu' }, ' vCPU']] }, Memory: { 'Fn::Join': ['', [{ Ref: 'MemoryGb' }, ' GB']] } },
    });
  });
});

describe('EmrServerlessJob with imported resources', () => {
  test('imported bucket, key and topic: four nag packs clean', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    const data = s3.Bucket.fromBucketAttributes(stack, 'Data', { bucketName: 'existing-lake', encryptionKey: key });
    new EmrServerlessJob(stack, 'Job', {
      script: EmrScript.fromBucket(data, 'scripts/job.py'),
      readLocations: [{ bucket: data, prefix: 'raw/' }],
      writeLocations: [{ bucket: data, prefix: 'curated/' }],
      encryptionKey: key,
      logBucket: s3.Bucket.fromBucketName(stack, 'Logs', 'existing-logs'),
      notificationTopic: sns.Topic.fromTopicAttributes(stack, 'Topic', { topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts', keyArn: key.keyArn }),
    });
    expectNagClean(stack);
  });
});

describe('EmrServerlessJob logical ids of stateful resources', () => {
  test('key, log bucket, log group, application and state machine keep their ids', () => {
    const { stack } = build();
    const ids = Object.entries<any>(Template.fromStack(stack).toJSON().Resources)
      .filter(([id, r]) => id.startsWith('Job') && /KMS::Key|S3::Bucket$|Logs::LogGroup|StateMachine$|EMRServerless::Application/.test(r.Type))
      .map(([id]) => id).sort();
    expect(ids).toEqual(['JobApplicationF4A59C97', 'JobKey64DA2C25', 'JobLogBucketAccessLogsBucket63FC0E0C', 'JobLogBucketDB69B487', 'JobStateMachineE2E0FF72', 'JobStateMachineLogsBF40ACEE']);
  });
});
