import * as path from 'path';
import { SecureBucket } from '@analytics-patterns/storage';
import { allPaths, AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, expectValidAsl, stateMachineDefinition, testStack } from '@analytics-patterns/testing';
import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as sns from 'aws-cdk-lib/aws-sns';
import { EmrScript, EmrServerlessJob, EmrServerlessJobProps, ServerlessArchitecture } from '../src';

const SCRIPT = path.join(__dirname, '..', 'assets', 'emr', 'weblog_analysis.py');

function build(overrides: Partial<EmrServerlessJobProps> = {}, sandbox = false) {
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

  test('cdk-nag AwsSolutions: clean', () => {
    const report = expectNagClean(build().stack, AWS_SOLUTIONS_ONLY);
    expect(report.acknowledged.every((a) => a.rule.startsWith('AwsSolutions-IAM5'))).toBe(true);
  });
});
