import { NagAcknowledgements } from '@analytics-patterns/core';
import { SecureBucket } from '@analytics-patterns/storage';
import { allPaths, AWS_SOLUTIONS_ONLY, expectNagClean, expectPropError, expectValidAsl, stateMachineDefinition, testStack } from '@analytics-patterns/testing';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { ActivityWork, PipelineActivity, Precondition, ScheduledPipeline, ScheduledPipelineProps } from '../src';

/** The notes' example (3.4): copy log files from EC2 to S3 daily, run the EMR analysis weekly. */
function notesExample(stack: Stack, overrides: Partial<ScheduledPipelineProps> = {}) {
  const raw = new SecureBucket(stack, 'Raw');
  const topic = new sns.Topic(stack, 'Topic', { enforceSSL: true, masterKey: raw.encryptionKey });
  // stands for the TransientEmrCluster job's state machine
  const analysis = new sfn.StateMachine(stack, 'Analysis', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Succeed(stack, 'Done')),
    tracingEnabled: true,
    logs: { destination: new logs.LogGroup(stack, 'AnalysisLogs'), level: sfn.LogLevel.ALL },
  });
  NagAcknowledgements.acknowledge(analysis.role, 'AwsSolutions-IAM5[Resource::*]', 'Test fixture: X-Ray and log delivery actions only support Resource "*".');
  const activities: PipelineActivity[] = [
    {
      name: 'copy-logs',
      work: ActivityWork.runCommandOnInstances({
        tagKey: 'role',
        tagValue: 'web',
        commands: ['aws s3 sync /var/log/app/ s3://raw-bucket/raw/weblogs/dt=$(date -u +%F)/ --sse aws:kms'],
      }),
      retry: { maxAttempts: 3, interval: Duration.minutes(5) },
    },
    {
      name: 'emr-analysis',
      work: ActivityWork.runStateMachine(analysis, { lookbackDays: 7 }),
      preconditions: [Precondition.s3PrefixExists(raw.bucket, 'raw/weblogs/')],
      retry: { maxAttempts: 0 },
    },
    { name: 'crawl', work: ActivityWork.startGlueCrawler('curated-weblogs'), dependsOn: ['emr-analysis'] },
    { name: 'audit', work: ActivityWork.startGlueCrawler('audit'), dependsOn: ['emr-analysis'] },
  ];
  const pipeline = new ScheduledPipeline(stack, 'Pipeline', {
    activities,
    schedules: [
      { name: 'daily-copy', expression: scheduler.ScheduleExpression.cron({ minute: '0', hour: '1' }), activities: ['copy-logs'] },
      { name: 'weekly-analysis', expression: scheduler.ScheduleExpression.cron({ minute: '0', hour: '3', weekDay: 'SUN' }), activities: ['crawl', 'audit'] },
    ],
    notificationTopic: topic,
    ...overrides,
  });
  return { pipeline, raw, topic, analysis };
}

describe('ScheduledPipeline (notes example)', () => {
  const stack = testStack();
  const { pipeline } = notesExample(stack);
  const template = Template.fromStack(stack);
  const daily = stateMachineDefinition(template, 'Pipelinedailycopy');
  const weekly = stateMachineDefinition(template, 'Pipelineweeklyanalysis');

  test('both definitions are valid Amazon States Language', () => {
    expectValidAsl(daily);
    expectValidAsl(weekly);
  });

  test('two EventBridge Scheduler schedules start the two state machines, encrypted with the key', () => {
    template.resourceCountIs('AWS::Scheduler::Schedule', 2);
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 1 * * ? *)',
      State: 'ENABLED',
      FlexibleTimeWindow: { Mode: 'OFF' },
      KmsKeyArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineKey'), 'Arn'] },
      Target: Match.objectLike({
        Arn: { Ref: Match.stringLikeRegexp('^PipelinedailycopyStateMachine') },
        RetryPolicy: { MaximumRetryAttempts: 3, MaximumEventAgeInSeconds: 3600 },
      }),
    });
    template.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 3 ? * SUN *)',
      Target: Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^PipelineweeklyanalysisStateMachine') } }),
    });
    expect(Object.keys(pipeline.stateMachines).sort()).toEqual(['daily-copy', 'weekly-analysis']);
  });

  test('daily: SSM Run Command on the tagged instances, polled until it finishes, retried then notified', () => {
    expect(daily.StartAt).toBe('copy-logs');
    const send = daily.States['copy-logs'];
    expect(send.Resource).toBe('arn:aws:states:::aws-sdk:ssm:sendCommand');
    expect(send.Parameters.Targets).toEqual([{ Key: 'tag:role', Values: ['web'] }]);
    expect(send.Parameters.DocumentName).toBe('AWS-RunShellScript');
    expect(send.Retry).toEqual([{ ErrorEquals: ['States.ALL'], MaxAttempts: 3, IntervalSeconds: 300, BackoffRate: 2 }]);
    expect(send.Catch[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'Notify copy-logs failed' });
    const decide = daily.States['copy-logs (finished?)'];
    expect(decide.Choices.map((c: any) => c.Next)).toEqual(['copy-logs (done)', 'copy-logs (wait)']);
    expect(decide.Default).toBe('copy-logs work failed');
    expect(daily.States['copy-logs (status)'].Catch[0].Next).toBe('Notify copy-logs failed');
    expect(daily.States['Notify copy-logs failed'].Resource).toBe('arn:aws:states:::sns:publish');
    // daily runs only what it needs
    expect(Object.keys(daily.States).some((n) => n.startsWith('emr-analysis'))).toBe(false);
    const ends = allPaths(daily).map((p) => p[p.length - 1]);
    expect(new Set(ends)).toEqual(new Set(['Pipeline succeeded', 'copy-logs failed']));
  });

  test('weekly: precondition, then the EMR analysis, then its dependants in parallel', () => {
    expect(weekly.StartAt).toBe('emr-analysis precondition 1');
    const pre = weekly.States['emr-analysis precondition 1'];
    expect(pre.Resource).toBe('arn:aws:states:::aws-sdk:s3:listObjectsV2');
    expect(pre.Parameters).toMatchObject({ Prefix: 'raw/weblogs/', MaxKeys: 1 });
    const met = weekly.States['emr-analysis precondition 1 (met?)'];
    expect(met.Choices[0]).toMatchObject({ Variable: '$.precondition.KeyCount', NumericGreaterThan: 0, Next: 'emr-analysis' });
    expect(met.Default).toBe('emr-analysis precondition not met');
    expect(weekly.States['emr-analysis precondition not met'].Next).toBe('Notify emr-analysis failed');
    const run = weekly.States['emr-analysis'];
    expect(run.Resource).toBe('arn:aws:states:::states:startExecution.sync:2');
    expect(run.Parameters.Input).toEqual({ 'lookbackDays': 7, 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' });
    expect(run.Retry).toBeUndefined();
    expect(run.Catch[0].Next).toBe('Notify emr-analysis failed');
    const level2 = weekly.States[run.Next];
    expect(level2.Type).toBe('Parallel');
    expect(level2.Branches.map((b: any) => b.StartAt).sort()).toEqual(['audit', 'crawl']);
    expect(level2.Branches[0].States[level2.Branches[0].StartAt].Retry[0]).toMatchObject({ MaxAttempts: 2, IntervalSeconds: 60, BackoffRate: 2 });
    expect(level2.Next).toBe('Pipeline succeeded');
    expect(Object.keys(weekly.States).some((n) => n.startsWith('copy-logs'))).toBe(false);
  });

  test('least privilege: SSM only on tagged instances, child executions of the one state machine, one crawler', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Action: 'ssm:SendCommand',
          Condition: { StringEquals: { 'ssm:resourceTag/role': ['web'] } },
        })]),
      },
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Action: 's3:ListBucket', Resource: { 'Fn::GetAtt': [Match.stringLikeRegexp('^RawBucket'), 'Arn'] } }),
          Match.objectLike({ Action: 'glue:startCrawler', Resource: 'arn:aws:glue:eu-west-1:123456789012:crawler/curated-weblogs' }),
          Match.objectLike({ Action: 'states:StartExecution', Resource: { Ref: Match.stringLikeRegexp('^Analysis') } }),
          Match.objectLike({
            Action: ['states:DescribeExecution', 'states:StopExecution'],
            Resource: { 'Fn::Join': ['', ['arn:aws:states:eu-west-1:123456789012:execution:', { 'Fn::GetAtt': [Match.stringLikeRegexp('^Analysis'), 'Name'] }, ':*']] },
          }),
        ]),
      },
    });
  });

  test('state machines log everything, encrypted, and are traced', () => {
    for (const [id, sm] of Object.entries<any>(template.findResources('AWS::StepFunctions::StateMachine'))) {
      if (!id.startsWith('Pipeline')) continue;
      expect(sm.Properties.TracingConfiguration).toEqual({ Enabled: true });
      expect(sm.Properties.LoggingConfiguration.Level).toBe('ALL');
    }
    template.resourcePropertiesCountIs('AWS::Logs::LogGroup', { KmsKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^PipelineKey'), 'Arn'] } }, 2);
    for (const sm of Object.values(pipeline.stateMachines)) expect(sm.node.scope?.node.tryFindChild('Logs')).toBeDefined();
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Retain', Properties: { KmsKeyId: Match.anyValue() } });
  });
});

describe('ScheduledPipeline options and validation', () => {
  test('without a topic, failures go straight to Fail; sandbox removal', () => {
    const stack = testStack({ sandbox: true });
    notesExample(stack, { notificationTopic: undefined });
    const template = Template.fromStack(stack);
    const daily = stateMachineDefinition(template, 'Pipelinedailycopy');
    expectValidAsl(daily);
    expect(daily.States['copy-logs'].Catch[0].Next).toBe('copy-logs failed');
    expect(Object.keys(daily.States).some((n) => n.startsWith('Notify'))).toBe(false);
    template.hasResource('AWS::Logs::LogGroup', { DeletionPolicy: 'Delete' });
  });

  const base = (stack: Stack): ScheduledPipelineProps => ({
    activities: [
      { name: 'a', work: ActivityWork.startGlueCrawler('a') },
      { name: 'b', work: ActivityWork.startGlueCrawler('b'), dependsOn: ['a'] },
    ],
    schedules: [{ name: 'daily', expression: scheduler.ScheduleExpression.rate(Duration.days(1)), activities: ['b'] }],
    encryptionKey: new SecureBucket(stack, 'B').encryptionKey,
  });
  const expectError = (change: (p: ScheduledPipelineProps) => ScheduledPipelineProps, prop: string, value: string | undefined, allowed: string) => {
    const stack = testStack();
    expectPropError(() => new ScheduledPipeline(stack, 'Pipeline', change(base(stack))), { path: 'TestStack/Pipeline', prop, value, allowed });
  };

  test('activities: names, dependencies, cycles, retries', () => {
    expectError((p) => ({ ...p, activities: [] }), 'activities', '[]', '1-100 entries');
    expectError((p) => ({ ...p, activities: [p.activities[0], p.activities[0]] }), 'activities[].name', undefined, 'distinct entries');
    expectError((p) => ({ ...p, activities: [{ ...p.activities[0], name: 'bad/name' }, p.activities[1]] }), 'activities[0].name', '"bad/name"', 'at most 40 characters');
    expectError((p) => ({ ...p, activities: [p.activities[0], { ...p.activities[1], dependsOn: ['zz'] }] }), 'activities[1].dependsOn[0]', '"zz"', 'another activity');
    expectError((p) => ({ ...p, activities: [{ ...p.activities[0], dependsOn: ['b'] }, p.activities[1]] }), 'activities[].dependsOn', '"a -> b -> a"', 'without cycles');
    expectError((p) => ({ ...p, activities: [{ ...p.activities[0], retry: { backoffRate: 0.5 } }, p.activities[1]] }), 'activities[0].retry.backoffRate', '0.5', '1-10');
    expectError((p) => ({ ...p, activities: [{ ...p.activities[0], retry: { maxAttempts: -1 } }, p.activities[1]] }), 'activities[0].retry.maxAttempts', '-1', '0-99999999');
    expectError((p) => ({ ...p, activities: [{ ...p.activities[0], retry: { interval: Duration.millis(500) } }, p.activities[1]] }), 'activities[0].retry.interval', '0.5', 'whole number');
  });

  test('schedules: names and activities', () => {
    expectError((p) => ({ ...p, schedules: [] }), 'schedules', '[]', '1-50 entries');
    expectError((p) => ({ ...p, schedules: [{ ...p.schedules[0], name: 'every day' }] }), 'schedules[0].name', '"every day"', '1-64 letters');
    expectError((p) => ({ ...p, schedules: [p.schedules[0], p.schedules[0]] }), 'schedules[].name', undefined, 'distinct entries');
    expectError((p) => ({ ...p, schedules: [{ ...p.schedules[0], activities: ['x'] }] }), 'schedules[0].activities[0]', '"x"', 'an activity name (a, b)');
    expectError((p) => ({ ...p, schedules: [{ ...p.schedules[0], activities: [] }] }), 'schedules[0].activities', '[]', '1-100 entries');
  });

  test('a schedule includes the dependencies of its activities, in order', () => {
    const stack = testStack();
    new ScheduledPipeline(stack, 'Pipeline', base(stack));
    const def = stateMachineDefinition(Template.fromStack(stack), 'Pipelinedaily');
    expectValidAsl(def);
    expect(def.StartAt).toBe('a');
    expect(def.States.a.Next).toBe('b');
    expect(def.States.b.Next).toBe('Pipeline succeeded');
  });

  test('cdk-nag AwsSolutions: clean', () => {
    const stack = testStack();
    notesExample(stack);
    const report = expectNagClean(stack, AWS_SOLUTIONS_ONLY);
    expect(report.acknowledged.every((a) => a.rule.startsWith('AwsSolutions-IAM5'))).toBe(true);
  });
});
