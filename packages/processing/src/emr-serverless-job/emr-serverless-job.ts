import { NagAcknowledgements, PrivateSubnets, Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { SecureBucket } from '@analytics-patterns/storage';
import { Duration, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as emrserverless from 'aws-cdk-lib/aws-emrserverless';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { EmrServerlessJobProps, ServerlessArchitecture } from './emr-serverless-job-props';
import { nagResource } from '../transient-emr-cluster/nag-finding';
import { parseReleaseLabel } from '../transient-emr-cluster/release-label';
import { s3Access } from '../transient-emr-cluster/s3-access';

const LOG_PREFIX = 'emr-serverless-logs/';

/**
 * The same Spark job as {@link TransientEmrCluster}, on EMR Serverless (notes 3.3):
 * no cluster to size or terminate. An EMR Serverless application (auto-start on
 * job submission, auto-stop when idle, capped maximum capacity) and a Step
 * Functions state machine that starts a job run with the optimized
 * `emr-serverless:startJobRun.sync` integration (Step Functions waits for the run
 * to finish, no polling loop), notifies on failure, and fails.
 *
 * The job's execution role reads/writes only the given S3 locations; logs go to
 * the log bucket, encrypted with the key.
 */
export class EmrServerlessJob extends Construct {
  /** The EMR Serverless application. */
  public readonly application: emrserverless.CfnApplication;
  /** Id of the application. */
  public readonly applicationId: string;
  /** The job runtime role (assumed by EMR Serverless). */
  public readonly executionRole: iam.Role;
  /** The state machine that runs the job. */
  public readonly stateMachine: sfn.StateMachine;
  /** The key for logs. */
  public readonly encryptionKey: kms.IKey;
  /** The bucket receiving the job logs. */
  public readonly logBucket: s3.IBucket;
  /** The SecureBucket for logs, when this construct created it. */
  public readonly secureLogBucket?: SecureBucket;
  /** Security group of the workers, when they run in a VPC. */
  public readonly securityGroup?: ec2.SecurityGroup;
  /** Log group of the state machine. */
  public readonly logGroup: logs.LogGroup;
  /** EMR release label. */
  public readonly releaseLabel: string;

  constructor(scope: Construct, id: string, props: EmrServerlessJobProps) {
    super(scope, id);
    this.releaseLabel = props.releaseLabel ?? 'emr-7.12.0';
    this.validate(props);
    const stack = Stack.of(this);

    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `EMR Serverless key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(this.encryptionKey);
    if (props.logBucket) {
      this.logBucket = props.logBucket;
    } else {
      this.secureLogBucket = new SecureBucket(this, 'LogBucket', { encryptionKey: this.encryptionKey });
      this.logBucket = this.secureLogBucket.bucket;
    }

    let networkConfiguration: emrserverless.CfnApplication.NetworkConfigurationProperty | undefined;
    if (props.vpc) {
      this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
        vpc: props.vpc, description: `EMR Serverless workers of ${this.node.path}`, allowAllOutbound: true,
      });
      networkConfiguration = {
        subnetIds: props.vpc.selectSubnets(props.vpcSubnets ?? PrivateSubnets.of(props.vpc)).subnetIds,
        securityGroupIds: [this.securityGroup.securityGroupId],
      };
    }

    this.application = new emrserverless.CfnApplication(this, 'Application', {
      releaseLabel: this.releaseLabel,
      type: 'Spark',
      architecture: props.architecture ?? ServerlessArchitecture.X86_64,
      autoStartConfiguration: { enabled: true },
      autoStopConfiguration: { enabled: true, idleTimeoutMinutes: (props.autoStopAfter ?? Duration.minutes(15)).toMinutes() },
      maximumCapacity: { cpu: `${props.maximumVcpu ?? 32} vCPU`, memory: `${props.maximumMemoryGb ?? 128} GB` },
      networkConfiguration,
    });
    this.applicationId = this.application.attrApplicationId;

    this.executionRole = new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal('emr-serverless.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'emr-serverless', resource: '/applications', resourceName: '*' }) },
      }),
      description: `EMR Serverless job runtime role of ${this.node.path} (only the given S3 locations)`,
    });
    const policy = new iam.Policy(this, 'ExecutionPolicy', { roles: [this.executionRole] });
    const access = s3Access(props.readLocations, props.writeLocations);
    policy.addStatements(...access.statements);
    const script = props.script._bind(this, 'Script');
    policy.addStatements(
      new iam.PolicyStatement({ sid: 'ReadScript', actions: ['s3:GetObject'], resources: [script.bucket.arnForObjects(script.key)] }),
      new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['s3:PutObject', 's3:GetBucketLocation'], resources: [this.logBucket.arnForObjects(`${LOG_PREFIX}*`), this.logBucket.bucketArn] }),
    );
    const keys = access.keys;
    keys.set(this.encryptionKey.node.path, this.encryptionKey);
    if (this.logBucket.encryptionKey) keys.set(this.logBucket.encryptionKey.node.path, this.logBucket.encryptionKey);
    policy.addStatements(new iam.PolicyStatement({
      sid: 'UseDataKeys', actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [...keys.values()].map((k) => k.keyArn),
    }));
    for (const arn of new Set([...access.wildcardObjectArns, this.logBucket.arnForObjects(`${LOG_PREFIX}*`)].map((a) => nagResource(this, a)))) {
      NagAcknowledgements.acknowledge(policy, `AwsSolutions-IAM5[Resource::${arn}]`,
        'Spark writes objects whose keys it generates at run time, so the object ARN ends with "<prefix>*" on exactly one configured location (or the log prefix); there is no bucket-wide or service-wide wildcard.');
    }

    // ---- state machine ----
    this.logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      encryptionKey: this.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    const failed = new sfn.Fail(this, 'JobFailed', { error: 'EmrServerlessJobFailed', cause: `The EMR Serverless job of ${this.node.path} failed; see the job run in EMR Studio and s3://.../${LOG_PREFIX}` });
    let onFailure: sfn.IChainable = failed;
    if (props.notificationTopic) {
      const notify = new tasks.SnsPublish(this, 'NotifyJobFailed', {
        topic: props.notificationTopic,
        subject: 'EMR Serverless job failed',
        message: sfn.TaskInput.fromObject({ job: this.node.path, execution: sfn.JsonPath.executionId, error: sfn.JsonPath.objectAt('$.error') }),
        resultPath: sfn.JsonPath.DISCARD,
      });
      notify.addCatch(failed, { resultPath: '$.notificationError' });
      onFailure = notify.next(failed);
    }
    const sparkSubmitParameters = Object.entries(props.sparkConf ?? {}).map(([k, v]) => `--conf ${k}=${v}`).join(' ');
    const jobTimeout = props.jobTimeout ?? Duration.hours(6);
    const run = new sfn.CustomState(this, 'RunJob', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::emr-serverless:startJobRun.sync`,
        Parameters: {
          'ApplicationId': this.applicationId,
          'ExecutionRoleArn': this.executionRole.roleArn,
          'Name.$': '$$.Execution.Name',
          'ExecutionTimeoutMinutes': jobTimeout.toMinutes(),
          'JobDriver': {
            SparkSubmit: {
              EntryPoint: script.s3Uri,
              EntryPointArguments: props.arguments ?? [],
              ...(sparkSubmitParameters ? { SparkSubmitParameters: sparkSubmitParameters } : {}),
            },
          },
          'ConfigurationOverrides': {
            MonitoringConfiguration: {
              S3MonitoringConfiguration: { LogUri: `s3://${this.logBucket.bucketName}/${LOG_PREFIX}`, EncryptionKeyArn: this.encryptionKey.keyArn },
            },
          },
        },
        ResultSelector: { 'JobRunId.$': '$.JobRunId', 'State.$': '$.State' },
        ResultPath: '$.jobRun',
      },
    });
    run.addRetry({ errors: ['EmrServerless.ThrottlingException', 'EmrServerless.InternalServerException'], maxAttempts: 3, interval: Duration.seconds(30), backoffRate: 2 });
    run.addCatch(onFailure, { resultPath: '$.error' });

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(run.next(new sfn.Succeed(this, 'JobSucceeded'))),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
    // permissions of the optimized integration (the custom state adds none)
    const appArn = stack.formatArn({ service: 'emr-serverless', resource: '/applications', resourceName: this.applicationId });
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ sid: 'StartJobRun', actions: ['emr-serverless:StartJobRun'], resources: [appArn] }));
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({ sid: 'WatchJobRun', actions: ['emr-serverless:GetJobRun', 'emr-serverless:CancelJobRun'], resources: [`${appArn}/jobruns/*`] }));
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({
      sid: 'SyncRule',
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForEMRServerlessJobRule' })],
    }));
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({
      sid: 'PassExecutionRole',
      actions: ['iam:PassRole'],
      resources: [this.executionRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'emr-serverless.amazonaws.com' } },
    }));
    const role = this.stateMachine.role;
    NagAcknowledgements.acknowledge(role, 'AwsSolutions-IAM5[Resource::*]',
      'The X-Ray and CloudWatch Logs delivery actions Step Functions needs for tracing and logging support only Resource "*".');
    NagAcknowledgements.acknowledge(role, `AwsSolutions-IAM5[Resource::${nagResource(this, `${appArn}/jobruns/*`)}]`,
      'Job run ids are created at run time; GetJobRun/CancelJobRun are limited to the job runs of this one application.');
  }

  /** Grants `grantee` the right to start the job. */
  public grantStart(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  private validate(props: EmrServerlessJobProps): void {
    const v = parseReleaseLabel(this.releaseLabel);
    Validate.that(this, v !== undefined, { prop: 'releaseLabel', value: this.releaseLabel, allowed: 'emr-x.y.z, e.g. emr-7.12.0' });
    Validate.that(this, v![0] >= 7 || (v![0] === 6 && v![1] >= 6), { prop: 'releaseLabel', value: this.releaseLabel, allowed: 'emr-6.6.0 or later (EMR Serverless releases)' });
    if (props.autoStopAfter) Validate.integer(this, 'autoStopAfter', 1, 10_080, props.autoStopAfter.toMinutes({ integral: false }), 'minutes');
    if (props.jobTimeout) Validate.integer(this, 'jobTimeout', 1, 10_080, props.jobTimeout.toMinutes({ integral: false }), 'minutes');
    Validate.integer(this, 'maximumVcpu', 1, 1_000_000, props.maximumVcpu, 'vCPU');
    Validate.integer(this, 'maximumMemoryGb', 2, 1_000_000, props.maximumMemoryGb, 'GB');
    Object.keys(props.sparkConf ?? {}).forEach((k) => Validate.pattern(this, 'sparkConf', '^spark\\.[A-Za-z0-9._-]+$', 'keys starting with "spark."', k));
    Validate.that(this, props.vpcSubnets === undefined || props.vpc !== undefined, { prop: 'vpcSubnets', value: 'given', allowed: 'only together with vpc' });
  }
}
