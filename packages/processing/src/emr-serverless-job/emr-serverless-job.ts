import {
  CustomerManagedPolicies, EmrServerlessLimits, NagAcknowledgements, PrivateSubnets, Sandbox, TimeUnit, Validate,
} from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { SecureBucket } from '@analytics-patterns/storage';
import { Duration, Stack, Tokenization } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as emrserverless from 'aws-cdk-lib/aws-emrserverless';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { EmrServerlessJobProps, ServerlessArchitecture } from './emr-serverless-job-props';
import { grantNotices, notifyThenFail } from '../common/failure-notice';
import { validateReleaseLabel } from '../common/release-label';
import { acknowledgeObjectWildcards, s3Access } from '../common/s3-access';
import { BoundScript } from '../transient-emr-cluster/emr-script';

const DEFAULT_RELEASE = 'emr-7.12.0';
const LOG_PREFIX = 'emr-serverless-logs/';
const SPARK_CONF_KEY = '^spark\\.[A-Za-z0-9._-]+$';
const SERVICE = 'emr-serverless.amazonaws.com';

/**
 * The same Spark job as {@link TransientEmrCluster}, on EMR Serverless (notes 3.3):
 * no cluster to size or terminate. An EMR Serverless application (auto-start on
 * job submission, auto-stop when idle, capped maximum capacity) and a Step
 * Functions state machine that starts a job run with the optimized
 * `emr-serverless:startJobRun.sync` integration (Step Functions waits for the run
 * to finish, no polling loop), notifies on failure, and fails.
 *
 * The job's execution role reads/writes only the given S3 locations and may be assumed only
 * by EMR Serverless applications of this account; logs go to the log bucket, encrypted with
 * the key. The state machine passes the execution role only to EMR Serverless and publishes
 * failure notices with the topic's key.
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
    this.releaseLabel = props.releaseLabel ?? DEFAULT_RELEASE;
    this.validate(props);
    CustomerManagedPolicies.apply(this);

    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `EMR Serverless key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(this.encryptionKey);
    this.secureLogBucket = props.logBucket ? undefined : new SecureBucket(this, 'LogBucket', { encryptionKey: this.encryptionKey });
    this.logBucket = props.logBucket ?? this.secureLogBucket!.bucket;
    this.securityGroup = props.vpc ? new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc, description: `EMR Serverless workers of ${this.node.path}`, allowAllOutbound: true,
    }) : undefined;
    this.application = this.createApplication(props);
    this.applicationId = this.application.attrApplicationId;
    this.executionRole = this.createExecutionRole();
    const script = props.script._bind(this, 'Script');
    this.grantExecutionRole(props, script);
    this.logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      encryptionKey: this.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    this.stateMachine = this.createStateMachine(props, script);
    this.grantStateMachine(props);
  }

  /** Grants `grantee` the right to start the job (state machine execution). */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  private validate(props: EmrServerlessJobProps): void {
    validateReleaseLabel(this, 'releaseLabel', this.releaseLabel, EmrServerlessLimits.RELEASE_LABELS, 'emr-6.6.0 or later (EMR Serverless releases)');
    Validate.duration(this, props.autoStopAfter, { prop: 'autoStopAfter', in: TimeUnit.MINUTES, ...EmrServerlessLimits.AUTO_STOP_MINUTES });
    Validate.duration(this, props.jobTimeout, { prop: 'jobTimeout', in: TimeUnit.MINUTES, ...EmrServerlessLimits.JOB_TIMEOUT_MINUTES });
    Validate.number(this, props.maximumVcpu, { prop: 'maximumVcpu', ...EmrServerlessLimits.MAXIMUM_VCPU });
    Validate.number(this, props.maximumMemoryGb, { prop: 'maximumMemoryGb', ...EmrServerlessLimits.MAXIMUM_MEMORY_GB });
    Object.keys(props.sparkConf ?? {}).forEach((k) => Validate.pattern(this, 'sparkConf', SPARK_CONF_KEY, 'keys starting with "spark."', k));
    Validate.that(this, props.vpcSubnets === undefined || props.vpc !== undefined, { prop: 'vpcSubnets', value: 'given', allowed: 'only together with vpc' });
  }

  private createApplication(props: EmrServerlessJobProps): emrserverless.CfnApplication {
    const idleMinutes = Validate.duration(this, props.autoStopAfter ?? Duration.minutes(15), {
      prop: 'autoStopAfter', in: TimeUnit.MINUTES, ...EmrServerlessLimits.AUTO_STOP_MINUTES,
    });
    // CfnApplication wants "<n> vCPU" strings: a number token must become a string token, not its encoded value
    const vcpu = Tokenization.stringifyNumber(props.maximumVcpu ?? 32);
    const memory = Tokenization.stringifyNumber(props.maximumMemoryGb ?? 128);
    return new emrserverless.CfnApplication(this, 'Application', {
      releaseLabel: this.releaseLabel,
      type: 'Spark',
      architecture: props.architecture ?? ServerlessArchitecture.X86_64,
      autoStartConfiguration: { enabled: true },
      autoStopConfiguration: { enabled: true, idleTimeoutMinutes: idleMinutes },
      maximumCapacity: { cpu: `${vcpu} vCPU`, memory: `${memory} GB` },
      networkConfiguration: props.vpc ? {
        subnetIds: props.vpc.selectSubnets(props.vpcSubnets ?? PrivateSubnets.of(props.vpc)).subnetIds,
        securityGroupIds: [this.securityGroup!.securityGroupId],
      } : undefined,
    });
  }

  private createExecutionRole(): iam.Role {
    const stack = Stack.of(this);
    return new iam.Role(this, 'ExecutionRole', {
      assumedBy: new iam.ServicePrincipal(SERVICE).withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'emr-serverless', resource: '/applications', resourceName: '*' }) },
      }),
      description: `EMR Serverless job runtime role of ${this.node.path} (only the given S3 locations)`,
    });
  }

  private grantExecutionRole(props: EmrServerlessJobProps, script: BoundScript): void {
    const policy = new iam.Policy(this, 'ExecutionPolicy', { roles: [this.executionRole] });
    const access = s3Access(props.readLocations, props.writeLocations);
    policy.addStatements(
      ...access.statements,
      new iam.PolicyStatement({ sid: 'ReadScript', actions: ['s3:GetObject'], resources: [script.bucket.arnForObjects(script.key)] }),
      new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['s3:PutObject', 's3:GetBucketLocation'], resources: [this.logBucket.arnForObjects(`${LOG_PREFIX}*`), this.logBucket.bucketArn] }),
    );
    const keys = access.keys;
    keys.set(this.encryptionKey.node.path, this.encryptionKey);
    if (this.logBucket.encryptionKey) keys.set(this.logBucket.encryptionKey.node.path, this.logBucket.encryptionKey);
    if (script.bucket.encryptionKey) keys.set(script.bucket.encryptionKey.node.path, script.bucket.encryptionKey);
    policy.addStatements(new iam.PolicyStatement({
      sid: 'UseDataKeys', actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'], resources: [...keys.values()].map((k) => k.keyArn),
    }));
    acknowledgeObjectWildcards(policy, [...access.locations, { bucket: this.logBucket, prefix: LOG_PREFIX }],
      'Spark writes objects whose keys it generates at run time, so the object ARN ends with "<prefix>*" on exactly one configured location (or the log prefix); there is no bucket-wide or service-wide wildcard.');
  }

  private createStateMachine(props: EmrServerlessJobProps, script: BoundScript): sfn.StateMachine {
    const stack = Stack.of(this);
    const failed = new sfn.Fail(this, 'JobFailed', { error: 'EmrServerlessJobFailed', cause: `The EMR Serverless job of ${this.node.path} failed; see the job run in EMR Studio and s3://.../${LOG_PREFIX}` });
    const onFailure = notifyThenFail(this, 'NotifyJobFailed', failed, {
      topic: props.notificationTopic,
      subject: 'EMR Serverless job failed',
      message: { job: this.node.path, execution: sfn.JsonPath.executionId, error: sfn.JsonPath.objectAt('$.error') },
    });
    const sparkSubmitParameters = Object.entries(props.sparkConf ?? {}).map(([k, v]) => `--conf ${k}=${v}`).join(' ');
    const jobTimeout = Validate.duration(this, props.jobTimeout ?? Duration.hours(6), { prop: 'jobTimeout', in: TimeUnit.MINUTES, ...EmrServerlessLimits.JOB_TIMEOUT_MINUTES });
    // a CustomState because aws-cdk-lib has no EMR Serverless task class; the Resource is
    // partition-aware and its permissions are granted in grantStateMachine
    const run = new sfn.CustomState(this, 'RunJob', {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::emr-serverless:startJobRun.sync`,
        Parameters: {
          'ApplicationId': this.applicationId,
          'ExecutionRoleArn': this.executionRole.roleArn,
          'Name.$': '$$.Execution.Name',
          'ExecutionTimeoutMinutes': jobTimeout,
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
    return new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(run.next(new sfn.Succeed(this, 'JobSucceeded'))),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
    });
  }

  /** The permissions of the optimized integration (a custom state adds none) and of the failure notice. */
  private grantStateMachine(props: EmrServerlessJobProps): void {
    const stack = Stack.of(this);
    const appArn = stack.formatArn({ service: 'emr-serverless', resource: '/applications', resourceName: this.applicationId });
    const sm = this.stateMachine;
    sm.addToRolePolicy(new iam.PolicyStatement({ sid: 'StartJobRun', actions: ['emr-serverless:StartJobRun'], resources: [appArn] }));
    sm.addToRolePolicy(new iam.PolicyStatement({ sid: 'WatchJobRun', actions: ['emr-serverless:GetJobRun', 'emr-serverless:CancelJobRun'], resources: [`${appArn}/jobruns/*`] }));
    sm.addToRolePolicy(new iam.PolicyStatement({
      sid: 'SyncRule',
      actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
      resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForEMRServerlessJobRule' })],
    }));
    sm.addToRolePolicy(new iam.PolicyStatement({
      sid: 'PassExecutionRole',
      actions: ['iam:PassRole'],
      resources: [this.executionRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': SERVICE } },
    }));
    grantNotices(props.notificationTopic, sm.role);
    NagAcknowledgements.acknowledge(sm.role, 'AwsSolutions-IAM5[Resource::*]',
      'The X-Ray and CloudWatch Logs delivery actions Step Functions needs for tracing and logging support only Resource "*".');
    NagAcknowledgements.acknowledge(sm.role, `AwsSolutions-IAM5[${NagAcknowledgements.resourceFinding(this, `${appArn}/jobruns/*`)}]`,
      'Job run ids are created at run time; GetJobRun/CancelJobRun are limited to the job runs of this one application.');
  }
}
