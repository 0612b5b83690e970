import { allPaths, AWS_SOLUTIONS_ONLY, expectNagClean, expectValidAsl, normalizeTemplate, stateMachineDefinitions, testApp } from '@analytics-patterns/testing';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
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

  test('snapshot', () => {
    expect(normalizeTemplate(template.toJSON())).toMatchSnapshot();
  });

  test('cdk-nag AwsSolutions: clean, and no EMR rule is acknowledged', () => {
    const fresh = new BatchAnalyticsStack(testApp(), 'BatchAnalytics');
    const report = expectNagClean(fresh, AWS_SOLUTIONS_ONLY);
    expect(report.acknowledged.filter((a) => /^AwsSolutions-EMR\d/.test(a.rule))).toEqual([]);
  });
});
