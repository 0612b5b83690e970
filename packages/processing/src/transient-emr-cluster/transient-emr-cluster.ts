import {
  CustomerManagedPolicies, EmrLimits, NagAcknowledgements, PrivateSubnets, Sandbox, TimeUnit, Validate,
} from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { SecureBucket } from '@analytics-patterns/storage';
import { Aws, Duration, Names, Stack, Tags } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as emr from 'aws-cdk-lib/aws-emr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { instanceFleets, managedScalingPolicy, stepStateName } from './cluster-fleets';
import { validateClusterProps } from './cluster-validation';
import { BoundScript, StepFailureAction } from './emr-script';
import { EmrApplication, TransientEmrClusterProps } from './transient-emr-cluster-props';
import { grantNotices, notifyThenFail } from '../common/failure-notice';
import { legacyLogicalId } from '../common/legacy-logical-id';
import { acknowledgeObjectWildcards, s3Access } from '../common/s3-access';

const DEFAULT_RELEASE = 'emr-7.12.0';
const EMR_MANAGED_TAG = 'for-use-with-amazon-emr-managed-policies';
const LOG_PREFIX = 'emr-logs/';
const EMR_SERVICE = 'elasticmapreduce.amazonaws.com';
const EC2_SERVICE = 'ec2.amazonaws.com';

/** The failure branches of the definition. */
interface FailureStates {
  /** Notify (if a topic is given), then fail: the job failed. */
  readonly jobFailed: sfn.IChainable;
  /** Notify, then fail: the cluster could not be terminated. */
  readonly notTerminated: sfn.IChainable;
}

/** The subnets and security groups of the cluster. */
interface ClusterNetwork {
  readonly subnets: ec2.SelectedSubnets;
  readonly master: ec2.SecurityGroup;
  readonly worker: ec2.SecurityGroup;
  readonly serviceAccess: ec2.SecurityGroup;
}

/**
 * A Spark/Hive job on an EMR cluster that exists only for the job (notes 3.3):
 * a Step Functions state machine creates the cluster, runs the steps one after
 * the other and always terminates it.
 *
 * ```
 * [ReadKdcPassword] -> CreateCluster -> Step1-<name> (.sync) -> ... -> StepN-<name> (.sync) -> TerminateCluster (.sync) -> JobSucceeded
 *                          |               \________________________/  any error                      |
 *                          |                          v                                                v
 *                          |              TerminateClusterAfterFailure (.sync) -> [NotifyJobFailed] -> JobFailed
 *                          +--------------------------------------------------> [NotifyJobFailed] -> JobFailed
 * ```
 *
 * - CreateCluster is a request-response call (RunJobFlow returns the cluster id at
 *   once); the steps are added right away and wait in PENDING until the cluster is
 *   ready. So the cluster id is known to every later state, and every state after
 *   creation catches all errors (States.ALL, including timeouts) and terminates the
 *   cluster. A `createCluster.sync` task that fails would not give the id to its
 *   Catch. The cluster's auto-termination idle timeout is the second safety net
 *   (e.g. when someone stops the execution by hand: no Catch runs then). RunJobFlow
 *   errors are retried 3 times with backoff (throttling); a cluster created by a call
 *   whose response was lost would be terminated by that idle timeout.
 * - State names are `Step<n>-<step name>` with only letters, digits, `-` and `_`, at most
 *   80 characters (Step Functions' limit), whatever the step names (EMR allows 256).
 * - Instance fleets: master (1 on-demand unit), core (on-demand, stores HDFS),
 *   optional task fleet on Spot with the switch-to-on-demand option; several
 *   instance types per fleet; optional managed scaling limits.
 * - Security configuration: EMRFS SSE-KMS and local-disk (plus EBS) KMS encryption,
 *   TLS in transit with the given certificates, IMDSv2 only; Kerberos
 *   (cluster-dedicated KDC) or an EC2 key pair.
 * - Least privilege: the instance profile (EMRFS) may read/write only the given
 *   locations, write logs to the log bucket and read the scripts and certificates;
 *   never AmazonS3FullAccess. The state machine may pass the service role only to EMR and
 *   the instance role only to EC2, and publishes failure notices with the topic's key.
 *
 * cdk-nag's EMR rules (EMR2/4/5/6) inspect `AWS::EMR::Cluster` resources, and there
 * is none here (the cluster is created at run time), so they cannot fire. The same
 * guarantees are enforced by this construct (LogUri, a security configuration with
 * local-disk and in-transit encryption, Kerberos or a key pair are all required) and
 * asserted on the CreateCluster parameters in its tests, which also run the rules on an
 * equivalent `AWS::EMR::Cluster`: EMR2 and EMR6 pass; cdk-nag 3.0.2's EMR4/EMR5 look for
 * `EnableAtRestEncryption`/`EnableInTransitEncryption` at the top level of the security
 * configuration, while EMR documents (and this construct writes) them under
 * `EncryptionConfiguration`, so those two cannot recognise any valid configuration.
 */
export class TransientEmrCluster extends Construct {
  /** Tag that AmazonEMRServicePolicy_v2 requires on the resources EMR manages (set on the security groups, subnets and cluster). */
  public static readonly EMR_MANAGED_TAG = EMR_MANAGED_TAG;

  /** The state machine that runs the job (start it, or schedule it). */
  public readonly stateMachine: sfn.StateMachine;
  /** The EMR security configuration. */
  public readonly securityConfiguration: emr.CfnSecurityConfiguration;
  /** Name of the security configuration. */
  public readonly securityConfigurationName: string;
  /** The role EMR assumes (service role). */
  public readonly serviceRole: iam.Role;
  /** The role of the cluster's EC2 instances (EMRFS role, via the instance profile). */
  public readonly instanceRole: iam.Role;
  /** The instance profile of the cluster's EC2 instances (named like the instance role, as RunJobFlow expects). */
  public readonly instanceProfile: iam.InstanceProfile;
  /** The least-privilege EMRFS/instance policy. */
  public readonly instancePolicy: iam.Policy;
  /** EMR-managed security group of the master node. */
  public readonly masterSecurityGroup: ec2.SecurityGroup;
  /** EMR-managed security group of core and task nodes. */
  public readonly workerSecurityGroup: ec2.SecurityGroup;
  /** Security group through which the EMR service reaches a cluster in private subnets. */
  public readonly serviceAccessSecurityGroup: ec2.SecurityGroup;
  /** The key used for EMRFS SSE-KMS, local disks and logs. */
  public readonly encryptionKey: kms.IKey;
  /** The bucket receiving the cluster logs. */
  public readonly logBucket: s3.IBucket;
  /** The SecureBucket for logs, when this construct created it. */
  public readonly secureLogBucket?: SecureBucket;
  /** `s3://` URI of the cluster logs. */
  public readonly logUri: string;
  /** Log group of the state machine. */
  public readonly logGroup: logs.LogGroup;
  /** EMR release label. */
  public readonly releaseLabel: string;
  /** Installed applications. */
  public readonly applications: EmrApplication[];
  /** The CreateCluster task (its parameters are the whole cluster configuration). */
  public readonly createClusterTask: tasks.EmrCreateCluster;

  constructor(scope: Construct, id: string, props: TransientEmrClusterProps) {
    super(scope, id);
    this.releaseLabel = props.releaseLabel ?? DEFAULT_RELEASE;
    this.applications = validateClusterProps(this, props, this.releaseLabel);
    CustomerManagedPolicies.apply(this);

    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `EMR key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(this.encryptionKey);
    this.secureLogBucket = props.logBucket ? undefined : new SecureBucket(this, 'LogBucket', { encryptionKey: this.encryptionKey });
    this.logBucket = props.logBucket ?? this.secureLogBucket!.bucket;
    this.logUri = `s3://${this.logBucket.bucketName}/${LOG_PREFIX}`;

    const network = this.createNetwork(props);
    this.masterSecurityGroup = network.master;
    this.workerSecurityGroup = network.worker;
    this.serviceAccessSecurityGroup = network.serviceAccess;
    this.instanceRole = this.createInstanceRole();
    this.instanceProfile = this.createInstanceProfile();
    this.instancePolicy = new iam.Policy(this, 'InstancePolicy', { roles: [this.instanceRole] });
    this.serviceRole = this.createServiceRole();
    this.grantServiceRole();
    this.securityConfiguration = this.createSecurityConfiguration(props);
    this.securityConfigurationName = this.securityConfiguration.ref;
    const scripts = props.steps.map((step, i) => step.script._bind(this, `Script${i}`));
    this.grantInstanceAccess(props, scripts);

    this.logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      encryptionKey: this.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    const failures = this.createFailureStates(props);
    this.createClusterTask = this.createClusterTaskState(props, network.subnets, failures);
    this.stateMachine = this.createStateMachine(props, scripts, failures);
    this.grantStateMachine(props);
  }

  /** Grants `grantee` the right to start the job (state machine execution). */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  // ------------------------------------------------------------------ network and roles

  private createNetwork(props: TransientEmrClusterProps): ClusterNetwork {
    const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? PrivateSubnets.of(props.vpc));
    const publicIds = new Set(props.vpc.publicSubnets.map((sn) => sn.subnetId));
    Validate.that(this, subnets.subnets.every((sn) => !publicIds.has(sn.subnetId)), {
      prop: 'vpcSubnets',
      value: subnets.subnetIds.filter((sid) => publicIds.has(sid)),
      allowed: 'private subnets only (the cluster gets no public IP; EMR uses the service access security group)',
    });
    Validate.that(this, subnets.subnets.length > 0, { prop: 'vpcSubnets', value: [], allowed: 'at least one private subnet' });
    const group = (id: string, description: string, allowAllOutbound: boolean) =>
      new ec2.SecurityGroup(this, id, { vpc: props.vpc, description: `${description} (${this.node.path})`, allowAllOutbound });
    const master = group('MasterSecurityGroup', 'EMR-managed security group of the master node', true);
    const worker = group('WorkerSecurityGroup', 'EMR-managed security group of core and task nodes', true);
    const serviceAccess = group('ServiceAccessSecurityGroup', 'EMR service access to a private-subnet cluster', false);
    // the rules EMR documents for clusters in private subnets (EMR adds node-to-node rules itself)
    serviceAccess.addIngressRule(master, ec2.Port.tcp(9443), 'Master node to EMR service');
    serviceAccess.addEgressRule(master, ec2.Port.tcp(8443), 'EMR service to master node');
    serviceAccess.addEgressRule(worker, ec2.Port.tcp(8443), 'EMR service to core and task nodes');
    master.addIngressRule(serviceAccess, ec2.Port.tcp(8443), 'EMR service to master node');
    worker.addIngressRule(serviceAccess, ec2.Port.tcp(8443), 'EMR service to core and task nodes');
    for (const sg of [master, worker, serviceAccess]) Tags.of(sg).add(EMR_MANAGED_TAG, 'true');
    for (const subnet of subnets.subnets) {
      if (subnet instanceof ec2.Subnet) Tags.of(subnet).add(EMR_MANAGED_TAG, 'true');
    }
    return { subnets, master, worker, serviceAccess };
  }

  private createInstanceRole(): iam.Role {
    return new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal(EC2_SERVICE),
      description: `EMRFS/instance role of ${this.node.path} (only the given S3 locations)`,
    });
  }

  private createInstanceProfile(): iam.InstanceProfile {
    const profile = new iam.InstanceProfile(this, 'InstanceProfile', {
      role: this.instanceRole,
      // RunJobFlow's JobFlowRole names the instance profile: same name as the role
      instanceProfileName: this.instanceRole.roleName,
    });
    // keep the logical id of the former L1 (at the same construct id): a new id would make
    // CloudFormation create a second profile with the same name before deleting the first
    (profile.node.defaultChild as iam.CfnInstanceProfile).overrideLogicalId(legacyLogicalId(this, 'InstanceProfile'));
    return profile;
  }

  private createServiceRole(): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal(EMR_SERVICE).withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'elasticmapreduce', resource: '*' }) },
      }),
      description: `EMR service role of ${this.node.path}`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonEMRServicePolicy_v2')],
    });
    NagAcknowledgements.acknowledge(role, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2]',
      'AmazonEMRServicePolicy_v2 is the EMR service role policy AWS maintains for every EC2 API EMR calls to provision fleets; it only acts on resources tagged for-use-with-amazon-emr-managed-policies=true (set on the security groups, subnets and cluster here), and a hand-written copy would miss EMR changes.');
    return role;
  }

  /** EMR (service role) creates EBS volumes encrypted with the key, and passes the instance role to EC2 only. */
  private grantServiceRole(): void {
    const policy = new iam.Policy(this, 'ServiceKeyPolicy', { roles: [this.serviceRole] });
    policy.addStatements(
      new iam.PolicyStatement({
        sid: 'UseKeyForEbsVolumes',
        actions: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncryptFrom', 'kms:ReEncryptTo', 'kms:GenerateDataKey', 'kms:GenerateDataKeyWithoutPlaintext', 'kms:DescribeKey'],
        resources: [this.encryptionKey.keyArn],
      }),
      new iam.PolicyStatement({
        sid: 'GrantKeyToEc2',
        actions: ['kms:CreateGrant'],
        resources: [this.encryptionKey.keyArn],
        conditions: { Bool: { 'kms:GrantIsForAWSResource': 'true' } },
      }),
      passRoleOnlyTo('PassInstanceRoleToEc2Only', this.instanceRole, EC2_SERVICE),
    );
  }

  private createSecurityConfiguration(props: TransientEmrClusterProps): emr.CfnSecurityConfiguration {
    const kerberos = props.authentication.kerberosOptions;
    const ticketHours = Validate.duration(this, kerberos?.ticketLifetime, {
      prop: 'authentication.kerberos.ticketLifetime', in: TimeUnit.HOURS, ...EmrLimits.KERBEROS_TICKET_LIFETIME_HOURS,
    }) ?? 24;
    const config: Record<string, any> = {
      EncryptionConfiguration: {
        EnableInTransitEncryption: true,
        EnableAtRestEncryption: true,
        InTransitEncryptionConfiguration: {
          TLSCertificateConfiguration: {
            CertificateProviderType: 'PEM',
            S3Object: props.inTransitEncryption.certificateBucket.s3UrlForObject(props.inTransitEncryption.certificateKey),
          },
        },
        AtRestEncryptionConfiguration: {
          S3EncryptionConfiguration: { EncryptionMode: 'SSE-KMS', AwsKmsKey: this.encryptionKey.keyArn },
          LocalDiskEncryptionConfiguration: { EncryptionKeyProviderType: 'AwsKms', AwsKmsKey: this.encryptionKey.keyArn, EnableEbsEncryption: true },
        },
      },
      InstanceMetadataServiceConfiguration: { MinimumInstanceMetadataServiceVersion: 2, HttpPutResponseHopLimit: 1 },
    };
    if (kerberos) {
      config.AuthenticationConfiguration = {
        KerberosConfiguration: { Provider: 'ClusterDedicatedKdc', ClusterDedicatedKdcConfiguration: { TicketLifetimeInHours: ticketHours } },
      };
    }
    return new emr.CfnSecurityConfiguration(this, 'SecurityConfiguration', { securityConfiguration: config });
  }

  private grantInstanceAccess(props: TransientEmrClusterProps, scripts: BoundScript[]): void {
    const p = this.instancePolicy;
    const access = s3Access(props.readLocations, props.writeLocations);
    p.addStatements(...access.statements);
    const keys = access.keys;
    scripts.forEach((script, i) => {
      p.addStatements(new iam.PolicyStatement({ sid: `ReadScript${i}`, actions: ['s3:GetObject'], resources: [script.bucket.arnForObjects(script.key)] }));
      if (script.bucket.encryptionKey) keys.set(script.bucket.encryptionKey.node.path, script.bucket.encryptionKey);
    });
    keys.set(this.encryptionKey.node.path, this.encryptionKey);
    // logs pushed by the nodes
    p.addStatements(new iam.PolicyStatement({ sid: 'WriteLogs', actions: ['s3:PutObject', 's3:GetBucketLocation'], resources: [this.logBucket.arnForObjects(`${LOG_PREFIX}*`), this.logBucket.bucketArn] }));
    if (this.logBucket.encryptionKey) keys.set(this.logBucket.encryptionKey.node.path, this.logBucket.encryptionKey);
    // TLS certificates installed at boot
    const certBucket = props.inTransitEncryption.certificateBucket;
    p.addStatements(new iam.PolicyStatement({ sid: 'ReadCertificates', actions: ['s3:GetObject'], resources: [certBucket.arnForObjects(props.inTransitEncryption.certificateKey)] }));
    if (certBucket.encryptionKey) keys.set(certBucket.encryptionKey.node.path, certBucket.encryptionKey);
    // EMRFS SSE-KMS, local disk encryption, and the buckets' own keys
    p.addStatements(new iam.PolicyStatement({
      sid: 'UseDataKeys',
      actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
      resources: [...keys.values()].map((k) => k.keyArn),
    }));
    const reason = 'EMRFS reads and writes objects whose keys Spark/Hive generate at run time, so the object ARN ends with "<prefix>*" on exactly one configured location (or the emr-logs/ prefix of the log bucket); there is no bucket-wide or service-wide wildcard.';
    acknowledgeObjectWildcards(p, [...access.locations, { bucket: this.logBucket, prefix: LOG_PREFIX }], reason);
  }

  // ------------------------------------------------------------------ definition

  private createFailureStates(props: TransientEmrClusterProps): FailureStates {
    const failed = new sfn.Fail(this, 'JobFailed', { error: 'EmrJobFailed', cause: `The EMR job of ${this.node.path} failed; see the execution history and ${this.logUri}` });
    const notTerminated = new sfn.Fail(this, 'ClusterNotTerminated', {
      error: 'EmrClusterNotTerminated',
      cause: 'TerminateJobFlows failed after retries; the cluster auto-terminates after its idle timeout',
    });
    const notice = (subject: string) => ({
      topic: props.notificationTopic,
      subject,
      message: { job: this.node.path, execution: sfn.JsonPath.executionId, error: sfn.JsonPath.objectAt('$.error') },
    });
    return {
      jobFailed: notifyThenFail(this, 'NotifyJobFailed', failed, notice('EMR job failed')),
      notTerminated: notifyThenFail(this, 'NotifyClusterNotTerminated', notTerminated, notice('EMR job failed')),
    };
  }

  private createClusterTaskState(props: TransientEmrClusterProps, subnets: ec2.SelectedSubnets, failures: FailureStates): tasks.EmrCreateCluster {
    const kerberos = props.authentication.kerberosOptions;
    const maxName = EmrLimits.CLUSTER_NAME.maxLength!;
    const defaultName = this.node.path.length <= maxName ? this.node.path : Names.uniqueResourceName(this, { maxLength: maxName });
    const task = new tasks.EmrCreateCluster(this, 'CreateCluster', {
      // request-response: the cluster id is returned at once, so every later state can terminate it
      integrationPattern: sfn.IntegrationPattern.REQUEST_RESPONSE,
      name: props.clusterName ?? defaultName,
      releaseLabel: this.releaseLabel,
      applications: this.applications.map((a) => ({ name: a })),
      serviceRole: this.serviceRole,
      clusterRole: this.instanceRole,
      securityConfiguration: this.securityConfigurationName,
      logUri: this.logUri,
      visibleToAllUsers: true,
      autoTerminationPolicyIdleTimeout: props.idleTimeout ?? Duration.hours(1),
      tags: { [EMR_MANAGED_TAG]: 'true' },
      kerberosAttributes: kerberos ? { realm: kerberos.realm, kdcAdminPassword: sfn.JsonPath.stringAt('$.kdc.Password') } : undefined,
      managedScalingPolicy: managedScalingPolicy(props),
      instances: {
        instanceFleets: instanceFleets(props),
        ec2SubnetIds: subnets.subnetIds,
        ec2KeyName: props.authentication.keyName,
        emrManagedMasterSecurityGroup: this.masterSecurityGroup.securityGroupId,
        emrManagedSlaveSecurityGroup: this.workerSecurityGroup.securityGroupId,
        serviceAccessSecurityGroup: this.serviceAccessSecurityGroup.securityGroupId,
        terminationProtected: false,
      },
      // keep only the cluster id: this also drops the KDC password from the state
      resultSelector: { 'ClusterId.$': '$.ClusterId' },
      resultPath: '$',
    });
    task.addRetry({ errors: ['ElasticMapReduce.AmazonElasticMapReduceException', 'ElasticMapReduce.ThrottlingException'], maxAttempts: 3, interval: Duration.seconds(30), backoffRate: 2 });
    task.addCatch(failures.jobFailed, { resultPath: '$.error' });
    return task;
  }

  private createStepTasks(props: TransientEmrClusterProps, scripts: BoundScript[], onError: sfn.IChainable): sfn.TaskStateBase[] {
    const clusterId = sfn.JsonPath.stringAt('$.ClusterId');
    const stepTimeout = props.stepTimeout ?? Duration.hours(6);
    return props.steps.map((step, i) => {
      const script = scripts[i];
      const task = new tasks.EmrAddStep(this, `Step${i + 1}`, {
        stateName: stepStateName(i, step.name),
        clusterId,
        name: step.name,
        jar: 'command-runner.jar',
        args: step.commandArgs(script.s3Uri),
        actionOnFailure: actionOnFailure(step.actionOnFailure),
        integrationPattern: sfn.IntegrationPattern.RUN_JOB,
        taskTimeout: sfn.Timeout.duration(stepTimeout),
        resultPath: sfn.JsonPath.DISCARD,
      });
      task.addCatch(onError, { resultPath: '$.error' });
      return task;
    });
  }

  private createStateMachine(props: TransientEmrClusterProps, scripts: BoundScript[], failures: FailureStates): sfn.StateMachine {
    const clusterId = sfn.JsonPath.stringAt('$.ClusterId');
    const terminateRetry: sfn.RetryProps = { errors: [sfn.Errors.ALL], maxAttempts: 5, interval: Duration.seconds(30), backoffRate: 2 };
    const terminateAfterFailure = new tasks.EmrTerminateCluster(this, 'TerminateClusterAfterFailure', {
      clusterId, integrationPattern: sfn.IntegrationPattern.RUN_JOB, resultPath: sfn.JsonPath.DISCARD,
    });
    terminateAfterFailure.addRetry(terminateRetry);
    terminateAfterFailure.addCatch(failures.notTerminated, { resultPath: '$.terminationError' });
    terminateAfterFailure.next(failures.jobFailed);
    const terminate = new tasks.EmrTerminateCluster(this, 'TerminateCluster', {
      clusterId, integrationPattern: sfn.IntegrationPattern.RUN_JOB, resultPath: sfn.JsonPath.DISCARD,
    });
    terminate.addRetry(terminateRetry);
    terminate.addCatch(failures.notTerminated, { resultPath: '$.error' });

    const kerberos = props.authentication.kerberosOptions;
    let chain = kerberos ? this.readKdcPassword(props, failures).next(this.createClusterTask) : sfn.Chain.start(this.createClusterTask);
    for (const t of this.createStepTasks(props, scripts, terminateAfterFailure)) chain = chain.next(t);
    chain = chain.next(terminate).next(new sfn.Succeed(this, 'JobSucceeded'));
    return new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(chain),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      // execution data would include the KDC password read from Secrets Manager
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: !kerberos },
    });
  }

  private readKdcPassword(props: TransientEmrClusterProps, failures: FailureStates): tasks.CallAwsService {
    const secret = props.authentication.kerberosOptions!.kdcAdminPassword;
    const read = new tasks.CallAwsService(this, 'ReadKdcPassword', {
      service: 'secretsmanager',
      action: 'getSecretValue',
      parameters: { SecretId: secret.secretArn },
      iamResources: [secret.secretArn],
      resultSelector: { 'Password.$': '$.SecretString' },
      resultPath: '$.kdc',
    });
    read.addCatch(failures.jobFailed, { resultPath: '$.error' });
    return read;
  }

  /** What the definition's tasks need beyond what the task classes grant, and the findings that remain. */
  private grantStateMachine(props: TransientEmrClusterProps): void {
    const role = this.stateMachine.role;
    props.authentication.kerberosOptions?.kdcAdminPassword.grantRead(role);
    grantNotices(props.notificationTopic, role);
    // EmrCreateCluster grants iam:PassRole on both roles without iam:PassedToService: pin each to its service
    role.addToPrincipalPolicy(passRoleOnlyTo('PassServiceRoleToEmrOnly', this.serviceRole, EMR_SERVICE));
    role.addToPrincipalPolicy(passRoleOnlyTo('PassInstanceRoleToEc2Only', this.instanceRole, EC2_SERVICE));
    const stack = Stack.of(this);
    NagAcknowledgements.acknowledge(role, 'AwsSolutions-IAM5[Resource::*]',
      'elasticmapreduce:RunJobFlow has no resource-level permission, and the X-Ray and CloudWatch Logs delivery actions Step Functions needs for tracing and logging support only Resource "*".');
    NagAcknowledgements.acknowledge(role, `AwsSolutions-IAM5[${NagAcknowledgements.resourceFinding(this, stack.formatArn({ service: 'elasticmapreduce', resource: 'cluster', resourceName: '*' }))}]`,
      'The cluster id is created at run time by RunJobFlow, so AddJobFlowSteps/DescribeStep/CancelSteps/TerminateJobFlows/DescribeCluster/AddTags are scoped to this account and region\'s cluster ARNs.');
    // the ARN exactly as EmrCreateCluster writes it (with the partition pseudo parameter)
    const cleanupRole = `arn:${Aws.PARTITION}:iam::${stack.account}:role/aws-service-role/elasticmapreduce.amazonaws.com*/AWSServiceRoleForEMRCleanup*`;
    NagAcknowledgements.acknowledge(role, `AwsSolutions-IAM5[${NagAcknowledgements.resourceFinding(this, cleanupRole)}]`,
      'iam:CreateServiceLinkedRole for the EMR cleanup service-linked role (added by EmrCreateCluster), limited by the iam:AWSServiceName condition to elasticmapreduce.amazonaws.com.');
  }
}

/** Denies passing `role` to any service but `service` (an allow elsewhere cannot widen it). */
function passRoleOnlyTo(sid: string, role: iam.IRole, service: string): iam.PolicyStatement {
  return new iam.PolicyStatement({
    sid,
    effect: iam.Effect.DENY,
    actions: ['iam:PassRole'],
    resources: [role.roleArn],
    conditions: { StringNotLike: { 'iam:PassedToService': `${service}*` } },
  });
}

function actionOnFailure(a: StepFailureAction): tasks.ActionOnFailure {
  switch (a) {
    case StepFailureAction.CANCEL_AND_WAIT: return tasks.ActionOnFailure.CANCEL_AND_WAIT;
    case StepFailureAction.TERMINATE_CLUSTER: return tasks.ActionOnFailure.TERMINATE_CLUSTER;
    default: return tasks.ActionOnFailure.CONTINUE;
  }
}
