import { AlarmTopic, NagAcknowledgements } from '@analytics-patterns/core';
import { SecureBucket } from '@analytics-patterns/storage';
import {
  AccessModel, allPaths, expectNagClean, expectParameterUsed, expectPropError, expectValidAsl, numberParameter, OTHER_ACCOUNT, Principals,
  stateMachineDefinition, testStack,
} from '@analytics-patterns/testing';
import { Duration, Stack, TimeZone } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { taskRequests } from './helpers';
import { ActivityWork, PipelineActivity, Precondition, ScheduledPipeline, ScheduledPipelineProps } from '../src';

/** The notes' example (3.4): copy log files from EC2 to S3 daily, run the EMR analysis weekly. */
function notesExample(stack: Stack, overrides: Partial<ScheduledPipelineProps> = {}) {
  const raw = new SecureBucket(stack, 'Raw');
  const alarms = new AlarmTopic(stack, 'Alarms', { encryptionKey: new kms.Key(stack, 'TopicKey', { enableKeyRotation: true }) });
  const topic = alarms.topic;
  // stands for the TransientEmrCluster job's state machine
  const analysis = new sfn.StateMachine(stack, 'Analysis', {
    definitionBody: sfn.DefinitionBody.fromChainable(new sfn.Succeed(stack, 'Done')),
    tracingEnabled: true,
    logs: { destination: new logs.LogGroup(stack, 'AnalysisLogs', { encryptionKey: raw.encryptionKey, retention: logs.RetentionDays.ONE_YEAR }), level: sfn.LogLevel.ALL },
  });
  NagAcknowledgements.acknowledge(analysis.role, 'AwsSolutions-IAM5[Resource::*]', 'Test fixture: X-Ray and log delivery actions only support Resource "*".');
  NagAcknowledgements.acknowledgeCompliance(analysis.role, 'IAMNoInlinePolicy', 'Test fixture: the inline policy of a stand-in state machine.');
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
  return { pipeline, raw, topic, analysis, alarms };
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

  test('cdk-nag, four packs: clean; AwsSolutions acknowledgements are IAM5 wildcards only', () => {
    const stack = testStack();
    notesExample(stack);
    const report = expectNagClean(stack);
    expect(report.acknowledged.filter((a) => a.pack === 'AwsSolutions').every((a) => a.rule.startsWith('AwsSolutions-IAM5'))).toBe(true);
  });
});

describe('ScheduledPipeline run-time permissions', () => {
  const stack = testStack();
  const { pipeline, raw, analysis, alarms } = notesExample(stack);
  const operator = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
  pipeline.grantStartExecution(operator);
  const template = Template.fromStack(stack);
  const access = AccessModel.of(stack);
  const viaSns = { 'kms:ViaService': 'sns.eu-west-1.amazonaws.com' };
  const analysisName = () => access.resolve(analysis.stateMachineName);

  const requestsOf = (schedule: string) => {
    const sm = pipeline.stateMachines[schedule];
    return taskRequests(stateMachineDefinition(template, `Pipeline${schedule.replace(/-/g, '')}`), sm.role.roleArn, (task, action) => {
      switch (action) {
        // AWS documents have no account in their ARN, which the simulator cannot type: asserted on the policy below
        case 'ssm:SendCommand': return { resource: 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0', context: { 'ssm:resourceTag/role': 'web' } };
        case 'ssm:ListCommands': return { resource: '*' };
        case 's3:ListBucket': return { resource: raw.bucket.bucketArn };
        case 'states:StartExecution': return { resource: analysis.stateMachineArn };
        case 'states:DescribeExecution':
        case 'states:StopExecution': return { resource: `arn:aws:states:eu-west-1:123456789012:execution:${analysisName()}:run-1` };
        case 'glue:StartCrawler': return { resource: `arn:aws:glue:eu-west-1:123456789012:crawler/${task.input.Name}` };
        case 'sns:Publish': return { resource: alarms.topic.topicArn };
        default: return undefined;
      }
    });
  };

  test('each state machine may do every task of its definition, and publish with the topic key', async () => {
    for (const schedule of ['daily-copy', 'weekly-analysis']) {
      const role = pipeline.stateMachines[schedule].role.roleArn;
      await access.expectAllowed(
        ...requestsOf(schedule),
        { principal: role, action: 'kms:GenerateDataKey', resource: alarms.encryptionKey.keyArn, context: viaSns },
        { principal: role, action: 'kms:Decrypt', resource: alarms.encryptionKey.keyArn, context: viaSns },
      );
    }
    const daily = pipeline.stateMachines['daily-copy'].role.roleArn;
    const dailyStatements = access.identityPoliciesOf(access.arn(daily)).policies.flatMap((p) => p.Statement);
    expect(dailyStatements).toContainEqual({ Action: 'ssm:sendCommand', Effect: 'Allow', Resource: 'arn:aws:ssm:eu-west-1::document/AWS-RunShellScript' });
    await access.expectAllowed({
      principal: daily, action: 'ssm:SendCommand', resource: 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0', context: { 'ssm:resourceTag/role': 'web' },
    });
    await access.expectDenied({
      principal: daily, action: 'ssm:SendCommand', resource: 'arn:aws:ec2:eu-west-1:123456789012:instance/i-0123456789abcdef0', context: { 'ssm:resourceTag/role': 'db' },
    });
    const weekly = pipeline.stateMachines['weekly-analysis'].role.roleArn;
    await access.expectAllowed({ principal: weekly, action: 'events:PutRule', resource: 'arn:aws:events:eu-west-1:123456789012:rule/StepFunctionsGetEventsForStepFunctionsExecutionRule' });
    await access.expectDenied(
      { principal: weekly, action: 'glue:StartCrawler', resource: 'arn:aws:glue:eu-west-1:123456789012:crawler/other' },
      { principal: weekly, action: 'kms:Decrypt', resource: alarms.encryptionKey.keyArn },
    );
  });

  test('EventBridge Scheduler (this account\'s default group only) starts each schedule\'s state machine only, with the key; strangers cannot', async () => {
    const source = { 'aws:SourceAccount': '123456789012', 'aws:SourceArn': 'arn:aws:scheduler:eu-west-1:123456789012:schedule-group/default' };
    const machines = Object.values(pipeline.stateMachines).map((sm) => sm.stateMachineArn);
    for (const [name, role] of Object.entries(pipeline.schedulerRoles)) {
      const own = pipeline.stateMachines[name].stateMachineArn;
      await access.expectAllowed(
        { principal: 'scheduler.amazonaws.com', action: 'sts:AssumeRole', resource: role.roleArn, context: source },
        { principal: role.roleArn, action: 'states:StartExecution', resource: own },
        { principal: role.roleArn, action: 'kms:Decrypt', resource: pipeline.encryptionKey.keyArn },
      );
      await access.expectDenied(
        { principal: 'scheduler.amazonaws.com', action: 'sts:AssumeRole', resource: role.roleArn, context: { ...source, 'aws:SourceAccount': OTHER_ACCOUNT } },
        { principal: 'scheduler.amazonaws.com', action: 'sts:AssumeRole', resource: role.roleArn, context: { ...source, 'aws:SourceArn': 'arn:aws:scheduler:eu-west-1:123456789012:schedule-group/other' } },
        ...machines.filter((m) => m !== own).map((resource) => ({ principal: role.roleArn, action: 'states:StartExecution', resource })),
      );
    }
    await access.expectAllowed(...machines.map((resource) => ({ principal: operator.roleArn, action: 'states:StartExecution', resource })));
    await access.expectDenied(...machines.flatMap((resource) => [
      { principal: Principals.strangerInAccount(), action: 'states:StartExecution', resource },
      { ...Principals.otherAccountAdmin(), action: 'states:StartExecution', resource },
    ]));
  });
});

describe('ScheduledPipeline schedules (EventBridge Scheduler rules), limits and tokens', () => {
  const base = (stack: Stack): ScheduledPipelineProps => ({
    activities: [{ name: 'a', work: ActivityWork.startGlueCrawler('a') }],
    schedules: [{ name: 'daily', expression: scheduler.ScheduleExpression.rate(Duration.days(1)), activities: ['a'] }],
    encryptionKey: new SecureBucket(stack, 'B').encryptionKey,
  });
  const withSchedule = (schedule: Partial<ScheduledPipelineProps['schedules'][0]>) => (stack: Stack) => {
    const p = base(stack);
    return { ...p, schedules: [{ ...p.schedules[0], ...schedule }] };
  };
  const build = (props: (stack: Stack) => ScheduledPipelineProps) => {
    const stack = testStack();
    return new ScheduledPipeline(stack, 'Pipeline', props(stack));
  };
  const bad = (props: (stack: Stack) => ScheduledPipelineProps, prop: string, allowed: string) =>
    expectPropError(() => build(props), { path: 'TestStack/Pipeline', prop, allowed });

  test('cron fields, a rate of at least a minute, at(...), IANA time zones', () => {
    expect(() => build(withSchedule({ expression: scheduler.ScheduleExpression.expression('rate(1 minute)') }))).not.toThrow();
    expect(() => build(withSchedule({ expression: scheduler.ScheduleExpression.cron({ minute: '0', hour: '2', timeZone: TimeZone.EUROPE_PARIS }) }))).not.toThrow();
    expect(() => build(withSchedule({ expression: scheduler.ScheduleExpression.expression('at(2030-01-01T00:00:00)') }))).not.toThrow();
    bad(withSchedule({ expression: scheduler.ScheduleExpression.expression('rate(0 minutes)') }), 'schedules[0].expression', 'rate(n minutes|hours|days)');
    bad(withSchedule({ expression: scheduler.ScheduleExpression.expression('cron(0 25 * * ? *)') }), 'schedules[0].expression', 'cron(minutes hours');
    bad(withSchedule({ expression: scheduler.ScheduleExpression.expression('cron(0 2 * * *)') }), 'schedules[0].expression', 'cron(minutes hours');
    bad(withSchedule({ expression: scheduler.ScheduleExpression.expression('cron(0 2 * * ? *)', TimeZone.of('Mars/Olympus_Mons')) }), 'schedules[0].expression', 'cron(minutes hours');
  });

  test('schedule names 1-64 characters, descriptions at most 512', () => {
    expect(() => build(withSchedule({ name: 'n'.repeat(64), description: 'd'.repeat(512) }))).not.toThrow();
    bad(withSchedule({ name: 'n'.repeat(65) }), 'schedules[0].name', '1-64 letters');
    bad(withSchedule({ description: 'd'.repeat(513) }), 'schedules[0].description', 'at most 512 characters');
  });

  test('retries: attempts, interval and backoff on both sides of their limits; a command timeout of 1 s to 48 h', () => {
    const activity = (retry: any, timeout?: Duration) => (stack: Stack) => ({
      ...base(stack),
      activities: [{ name: 'a', retry, work: ActivityWork.runCommandOnInstances({ tagKey: 'role', tagValue: 'web', commands: ['true'], timeout }) }],
    });
    expect(() => build(activity({ maxAttempts: 99_999_999, interval: Duration.seconds(1), backoffRate: 10 }, Duration.hours(48)))).not.toThrow();
    bad(activity({ maxAttempts: 100_000_000 }), 'activities[0].retry.maxAttempts', '0-99999999');
    bad(activity({ backoffRate: 10.5 }), 'activities[0].retry.backoffRate', '1-10');
    bad(activity({ interval: Duration.seconds(0) }), 'activities[0].retry.interval', '1-99999999 seconds');
    bad(activity({}, Duration.seconds(172_801)), 'activities[0].work.timeout', '1-172800 seconds');
  });

  test('retry attempts, interval, backoff and command timeout as CloudFormation parameters: kept, not dropped', () => {
    const stack = testStack();
    const n = (name: string) => numberParameter(stack, name);
    new ScheduledPipeline(stack, 'Pipeline', {
      ...base(stack),
      activities: [{
        name: 'a',
        retry: { maxAttempts: n('Attempts'), interval: Duration.seconds(n('IntervalSeconds')), backoffRate: n('Backoff') },
        work: ActivityWork.runCommandOnInstances({ tagKey: 'role', tagValue: 'web', commands: ['true'], timeout: Duration.seconds(n('TimeoutSeconds')) }),
      }],
    });
    const template = Template.fromStack(stack);
    for (const p of ['Attempts', 'IntervalSeconds', 'Backoff', 'TimeoutSeconds']) expectParameterUsed(template, p, /StateMachine/);
    const def = stateMachineDefinition(template, 'Pipelinedaily');
    // the Retry block stays when its attempt count is a token (it vanished: a token is a negative number)
    expect(def.States.a.Retry).toEqual([{ ErrorEquals: ['States.ALL'], MaxAttempts: 'REF_Attempts', IntervalSeconds: 'REF_IntervalSeconds', BackoffRate: 'REF_Backoff' }]);
    // the timeout is the parameter, not the token's encoded number written as a string
    expect(def.States.a.Parameters.Parameters.executionTimeout).toEqual(['REF_TimeoutSeconds']);
  });
});

describe('ScheduledPipeline with imported resources', () => {
  test('imported key, topic, bucket and state machine: four nag packs clean', () => {
    const stack = testStack();
    const key = kms.Key.fromKeyArn(stack, 'Key', 'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555');
    const job = sfn.StateMachine.fromStateMachineArn(stack, 'Job', 'arn:aws:states:eu-west-1:123456789012:stateMachine:emr-job');
    new ScheduledPipeline(stack, 'Pipeline', {
      activities: [{
        name: 'emr', work: ActivityWork.runStateMachine(job), preconditions: [Precondition.s3PrefixExists(s3.Bucket.fromBucketName(stack, 'Raw', 'existing-raw'), 'raw/')],
      }],
      schedules: [{ name: 'weekly', expression: scheduler.ScheduleExpression.cron({ minute: '0', hour: '3', weekDay: 'SUN' }), activities: ['emr'] }],
      encryptionKey: key,
      notificationTopic: sns.Topic.fromTopicAttributes(stack, 'Topic', { topicArn: 'arn:aws:sns:eu-west-1:123456789012:alerts', keyArn: key.keyArn }),
    });
    expectNagClean(stack);
  });
});

describe('ScheduledPipeline logical ids of stateful resources', () => {
  test('key, log groups, state machines and schedules keep their ids', () => {
    const stack = testStack();
    notesExample(stack);
    const ids = Object.entries<any>(Template.fromStack(stack).toJSON().Resources)
      .filter(([id, r]) => id.startsWith('Pipeline') && /KMS::Key|Logs::LogGroup|StateMachine$|Scheduler::Schedule$/.test(r.Type))
      .map(([id]) => id).sort();
    expect(ids).toEqual([
      'PipelineKey1D1ED87E', 'PipelinedailycopyLogs693A1EC7', 'PipelinedailycopyScheduleAAA56CAE', 'PipelinedailycopyStateMachineD2CC8782',
      'PipelineweeklyanalysisLogsCBF5D545', 'PipelineweeklyanalysisSchedule5B8739D5', 'PipelineweeklyanalysisStateMachineCABB3699',
    ]);
  });
});
