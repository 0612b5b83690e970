import { NagAcknowledgements, PrivateSubnets, Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { SecureBucket } from '@analytics-patterns/storage';
import { Aws, Duration, Stack, Tags, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as emr from 'aws-cdk-lib/aws-emr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { StepEngine, StepFailureAction } from './emr-script';
import { nagResource } from './nag-finding';
import { parseReleaseLabel } from './release-label';
import { s3Access } from './s3-access';
import { EmrApplication, S3Location, TransientEmrClusterProps } from './transient-emr-cluster-props';

const DEFAULT_RELEASE = 'emr-7.12.0';
const DEFAULT_TYPES = ['m5.xlarge', 'm5a.xlarge', 'm6i.xlarge'];
const DEFAULT_TASK_TYPES = ['m5.xlarge', 'm5a.xlarge', 'm6i.xlarge', 'r5.xlarge'];
const INSTANCE_TYPE = '^[a-z][a-z0-9-]*\\.[a-z0-9]+$';
const EMR_MANAGED_TAG = 'for-use-with-amazon-emr-managed-policies';
const LOG_PREFIX = 'emr-logs/';


/**
 * A Spark/Hive job on an EMR cluster that exists only for the job (notes 3.3):
 * a Step Functions state machine creates the cluster, runs the steps one after
 * the other and always terminates it.
 *
 * ```
 * [ReadKdcPassword] -> CreateCluster -> Step 1 (.sync) -> ... -> Step n (.sync) -> TerminateCluster (.sync) -> Succeeded
 *                          |               \____________________/  any error            |
 *                          |                         v                                   v
 *                          |              TerminateClusterAfterFailure (.sync) -> [Notify] -> Failed
 *                          +-----------------------------------------------------> [Notify] -> Failed
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
 * - Instance fleets: master (1 on-demand unit), core (on-demand, stores HDFS),
 *   optional task fleet on Spot with the switch-to-on-demand option; several
 *   instance types per fleet; optional managed scaling limits.
 * - Security configuration: EMRFS SSE-KMS and local-disk (plus EBS) KMS encryption,
 *   TLS in transit with the given certificates, IMDSv2 only; Kerberos
 *   (cluster-dedicated KDC) or an EC2 key pair.
 * - Least privilege: the instance profile (EMRFS) may read/write only the given
 *   locations, write logs to the log bucket and read the scripts and certificates;
 *   never AmazonS3FullAccess.
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
  /** The instance profile of the cluster's EC2 instances. */
  public readonly instanceProfile: iam.CfnInstanceProfile;
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
    this.applications = this.validate(props);
    const stack = Stack.of(this);

    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `EMR key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(this.encryptionKey);
    if (props.logBucket) {
      this.logBucket = props.logBucket;
    } else {
      this.secureLogBucket = new SecureBucket(this, 'LogBucket', { encryptionKey: this.encryptionKey });
      this.logBucket = this.secureLogBucket.bucket;
    }
    this.logUri = `s3://${this.logBucket.bucketName}/${LOG_PREFIX}`;

    // ---- network ----
    const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? PrivateSubnets.of(props.vpc));
    const publicIds = new Set(props.vpc.publicSubnets.map((sn) => sn.subnetId));
    Validate.that(this, subnets.subnets.every((sn) => !publicIds.has(sn.subnetId)), {
      prop: 'vpcSubnets',
      value: subnets.subnetIds.filter((sid) => publicIds.has(sid)),
      allowed: 'private subnets only (the cluster gets no public IP; EMR uses the service access security group)',
    });
    Validate.that(this, subnets.subnets.length > 0, { prop: 'vpcSubnets', value: [], allowed: 'at least one private subnet' });
    this.masterSecurityGroup = new ec2.SecurityGroup(this, 'MasterSecurityGroup', {
      vpc: props.vpc, description: `EMR-managed security group of the master node (${this.node.path})`, allowAllOutbound: true,
    });
    this.workerSecurityGroup = new ec2.SecurityGroup(this, 'WorkerSecurityGroup', {
      vpc: props.vpc, description: `EMR-managed security group of core and task nodes (${this.node.path})`, allowAllOutbound: true,
    });
    this.serviceAccessSecurityGroup = new ec2.SecurityGroup(this, 'ServiceAccessSecurityGroup', {
      vpc: props.vpc, description: `EMR service access to a private-subnet cluster (${this.node.path})`, allowAllOutbound: false,
    });
    // the rules EMR documents for clusters in private subnets (EMR adds node-to-node rules itself)
    this.serviceAccessSecurityGroup.addIngressRule(this.masterSecurityGroup, ec2.Port.tcp(9443), 'Master node to EMR service');
    this.serviceAccessSecurityGroup.addEgressRule(this.masterSecurityGroup, ec2.Port.tcp(8443), 'EMR service to master node');
    this.serviceAccessSecurityGroup.addEgressRule(this.workerSecurityGroup, ec2.Port.tcp(8443), 'EMR service to core and task nodes');
    this.masterSecurityGroup.addIngressRule(this.serviceAccessSecurityGroup, ec2.Port.tcp(8443), 'EMR service to master node');
    this.workerSecurityGroup.addIngressRule(this.serviceAccessSecurityGroup, ec2.Port.tcp(8443), 'EMR service to core and task nodes');
    for (const sg of [this.masterSecurityGroup, this.workerSecurityGroup, this.serviceAccessSecurityGroup]) {
      Tags.of(sg).add(EMR_MANAGED_TAG, 'true');
    }
    for (const subnet of subnets.subnets) {
      if (subnet instanceof ec2.Subnet) Tags.of(subnet).add(EMR_MANAGED_TAG, 'true');
    }

    // ---- roles ----
    this.instanceRole = new iam.Role(this, 'InstanceRole', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: `EMRFS/instance role of ${this.node.path} (only the given S3 locations)`,
    });
    this.instanceProfile = new iam.CfnInstanceProfile(this, 'InstanceProfile', {
      roles: [this.instanceRole.roleName],
      // RunJobFlow's JobFlowRole names the instance profile: same name as the role
      instanceProfileName: this.instanceRole.roleName,
    });
    this.instancePolicy = new iam.Policy(this, 'InstancePolicy', { roles: [this.instanceRole] });
    this.serviceRole = new iam.Role(this, 'ServiceRole', {
      assumedBy: new iam.ServicePrincipal('elasticmapreduce.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'elasticmapreduce', resource: '*' }) },
      }),
      description: `EMR service role of ${this.node.path}`,
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonEMRServicePolicy_v2')],
    });
    NagAcknowledgements.acknowledge(this.serviceRole, 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonEMRServicePolicy_v2]',
      'AmazonEMRServicePolicy_v2 is the EMR service role policy AWS maintains for every EC2 API EMR calls to provision fleets; it only acts on resources tagged for-use-with-amazon-emr-managed-policies=true (set on the security groups, subnets and cluster here), and a hand-written copy would miss EMR changes.');
    this.grantServiceKeyUse();
    this.securityConfiguration = this.createSecurityConfiguration(props);
    this.securityConfigurationName = this.securityConfiguration.ref;
    this.grantInstanceAccess(props);

    // ---- state machine ----
    this.logGroup = new logs.LogGroup(this, 'StateMachineLogs', {
      encryptionKey: this.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    const kerberos = props.authentication.kerberosOptions;
    const failed = new sfn.Fail(this, 'JobFailed', { error: 'EmrJobFailed', cause: `The EMR job of ${this.node.path} failed; see the execution history and ${this.logUri}` });
    const notTerminated = new sfn.Fail(this, 'ClusterNotTerminated', {
      error: 'EmrClusterNotTerminated',
      cause: 'TerminateJobFlows failed after retries; the cluster auto-terminates after its idle timeout',
    });
    const notify = (name: string, next: sfn.Fail): sfn.IChainable => {
      if (!props.notificationTopic) return next;
      const task = new tasks.SnsPublish(this, name, {
        topic: props.notificationTopic,
        subject: 'EMR job failed',
        message: sfn.TaskInput.fromObject({
          job: this.node.path,
          execution: sfn.JsonPath.executionId,
          error: sfn.JsonPath.objectAt('$.error'),
        }),
        resultPath: sfn.JsonPath.DISCARD,
      });
      task.addCatch(next, { resultPath: '$.notificationError' });
      return task.next(next);
    };
    const notifyFailed = notify('NotifyJobFailed', failed);
    const notifyNotTerminated = notify('NotifyClusterNotTerminated', notTerminated);

    const master = props.master ?? {};
    const core = props.core ?? {};
    const coreCapacity = core.onDemandCapacity ?? 2;
    const fleets: tasks.EmrCreateCluster.InstanceFleetConfigProperty[] = [{
      instanceFleetType: tasks.EmrCreateCluster.InstanceRoleType.MASTER,
      name: 'Master',
      targetOnDemandCapacity: 1,
      instanceTypeConfigs: (master.instanceTypes ?? DEFAULT_TYPES).map((t) => ({ instanceType: t, weightedCapacity: 1 })),
      launchSpecifications: { onDemandSpecification: { allocationStrategy: tasks.EmrCreateCluster.OnDemandAllocationStrategy.LOWEST_PRICE } },
    }];
    if (coreCapacity > 0) {
      fleets.push({
        instanceFleetType: tasks.EmrCreateCluster.InstanceRoleType.CORE,
        name: 'Core',
        targetOnDemandCapacity: coreCapacity,
        instanceTypeConfigs: (core.instanceTypes ?? DEFAULT_TYPES).map((t) => ({ instanceType: t, weightedCapacity: 1 })),
        launchSpecifications: { onDemandSpecification: { allocationStrategy: tasks.EmrCreateCluster.OnDemandAllocationStrategy.LOWEST_PRICE } },
      });
    }
    if (props.task) {
      const t = props.task;
      fleets.push({
        instanceFleetType: tasks.EmrCreateCluster.InstanceRoleType.TASK,
        name: 'Task',
        targetSpotCapacity: t.spotCapacity ?? 2,
        targetOnDemandCapacity: t.onDemandCapacity ?? 0,
        instanceTypeConfigs: (t.instanceTypes ?? DEFAULT_TASK_TYPES).map((it) => ({ instanceType: it, weightedCapacity: 1 })),
        launchSpecifications: {
          spotSpecification: {
            allocationStrategy: tasks.EmrCreateCluster.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,
            timeoutAction: (t.switchToOnDemand ?? true)
              ? tasks.EmrCreateCluster.SpotTimeoutAction.SWITCH_TO_ON_DEMAND
              : tasks.EmrCreateCluster.SpotTimeoutAction.TERMINATE_CLUSTER,
            timeout: t.spotTimeout ?? Duration.minutes(10),
          },
          onDemandSpecification: { allocationStrategy: tasks.EmrCreateCluster.OnDemandAllocationStrategy.LOWEST_PRICE },
        },
      });
    }

    const scaling = props.managedScaling;
    this.createClusterTask = new tasks.EmrCreateCluster(this, 'CreateCluster', {
      // request-response: the cluster id is returned at once, so every later state can terminate it
      integrationPattern: sfn.IntegrationPattern.REQUEST_RESPONSE,
      name: props.clusterName ?? this.node.path,
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
      managedScalingPolicy: scaling ? {
        computeLimits: {
          unitType: tasks.EmrCreateCluster.ComputeLimitsUnitType.INSTANCE_FLEET_UNITS,
          minimumCapacityUnits: scaling.minimumCapacityUnits,
          maximumCapacityUnits: scaling.maximumCapacityUnits,
          maximumOnDemandCapacityUnits: scaling.maximumOnDemandCapacityUnits ?? scaling.maximumCapacityUnits,
          maximumCoreCapacityUnits: scaling.maximumCoreCapacityUnits ?? scaling.maximumCapacityUnits,
        },
      } : undefined,
      instances: {
        instanceFleets: fleets,
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
    this.createClusterTask.addRetry({ errors: ['ElasticMapReduce.AmazonElasticMapReduceException', 'ElasticMapReduce.ThrottlingException'], maxAttempts: 3, interval: Duration.seconds(30), backoffRate: 2 });
    this.createClusterTask.addCatch(notifyFailed, { resultPath: '$.error' });

    const clusterId = sfn.JsonPath.stringAt('$.ClusterId');
    const terminateRetry: sfn.RetryProps = { errors: [sfn.Errors.ALL], maxAttempts: 5, interval: Duration.seconds(30), backoffRate: 2 };
    const terminateAfterFailure = new tasks.EmrTerminateCluster(this, 'TerminateClusterAfterFailure', {
      clusterId, integrationPattern: sfn.IntegrationPattern.RUN_JOB, resultPath: sfn.JsonPath.DISCARD,
    });
    terminateAfterFailure.addRetry(terminateRetry);
    terminateAfterFailure.addCatch(notifyNotTerminated, { resultPath: '$.terminationError' });
    terminateAfterFailure.next(notifyFailed);

    const stepTimeout = props.stepTimeout ?? Duration.hours(6);
    const stepTasks = props.steps.map((step, i) => {
      const script = step.script._bind(this, `Script${i}`);
      this.instancePolicy.addStatements(new iam.PolicyStatement({
        sid: `ReadScript${i}`, actions: ['s3:GetObject'], resources: [script.bucket.arnForObjects(script.key)],
      }));
      const task = new tasks.EmrAddStep(this, `Step${i + 1}`, {
        stateName: `Step ${i + 1}: ${step.name}`,
        clusterId,
        name: step.name,
        jar: 'command-runner.jar',
        args: step.commandArgs(script.s3Uri),
        actionOnFailure: actionOnFailure(step.actionOnFailure),
        integrationPattern: sfn.IntegrationPattern.RUN_JOB,
        taskTimeout: sfn.Timeout.duration(stepTimeout),
        resultPath: sfn.JsonPath.DISCARD,
      });
      task.addCatch(terminateAfterFailure, { resultPath: '$.error' });
      return task;
    });

    const terminate = new tasks.EmrTerminateCluster(this, 'TerminateCluster', {
      clusterId, integrationPattern: sfn.IntegrationPattern.RUN_JOB, resultPath: sfn.JsonPath.DISCARD,
    });
    terminate.addRetry(terminateRetry);
    terminate.addCatch(notifyNotTerminated, { resultPath: '$.error' });

    let chain: sfn.Chain;
    if (kerberos) {
      const readPassword = new tasks.CallAwsService(this, 'ReadKdcPassword', {
        service: 'secretsmanager',
        action: 'getSecretValue',
        parameters: { SecretId: kerberos.kdcAdminPassword.secretArn },
        iamResources: [kerberos.kdcAdminPassword.secretArn],
        resultSelector: { 'Password.$': '$.SecretString' },
        resultPath: '$.kdc',
      });
      readPassword.addCatch(notifyFailed, { resultPath: '$.error' });
      chain = readPassword.next(this.createClusterTask);
    } else {
      chain = sfn.Chain.start(this.createClusterTask);
    }
    for (const t of stepTasks) chain = chain.next(t);
    chain = chain.next(terminate).next(new sfn.Succeed(this, 'JobSucceeded'));

    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(chain),
      stateMachineType: sfn.StateMachineType.STANDARD,
      tracingEnabled: true,
      // execution data would include the KDC password read from Secrets Manager
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: !kerberos },
    });
    if (kerberos) kerberos.kdcAdminPassword.grantRead(this.stateMachine);
    const role = this.stateMachine.role;
    NagAcknowledgements.acknowledge(role, 'AwsSolutions-IAM5[Resource::*]',
      'elasticmapreduce:RunJobFlow has no resource-level permission, and the X-Ray and CloudWatch Logs delivery actions Step Functions needs for tracing and logging support only Resource "*".');
    NagAcknowledgements.acknowledge(role, `AwsSolutions-IAM5[Resource::${nagResource(this, stack.formatArn({ service: 'elasticmapreduce', resource: 'cluster', resourceName: '*' }))}]`,
      'The cluster id is created at run time by RunJobFlow, so AddJobFlowSteps/DescribeStep/CancelSteps/TerminateJobFlows/DescribeCluster/AddTags are scoped to this account and region\'s cluster ARNs.');
    NagAcknowledgements.acknowledge(role, `AwsSolutions-IAM5[Resource::${nagResource(this, `arn:${Aws.PARTITION}:iam::${stack.account}:role/aws-service-role/elasticmapreduce.amazonaws.com*/AWSServiceRoleForEMRCleanup*`)}]`,
      'iam:CreateServiceLinkedRole for the EMR cleanup service-linked role (added by EmrCreateCluster), limited by the iam:AWSServiceName condition to elasticmapreduce.amazonaws.com.');
  }

  /** Grants `grantee` the right to start the job (state machine execution). */
  public grantStart(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  private validate(props: TransientEmrClusterProps): EmrApplication[] {
    // required by the cdk-nag EMR5/EMR6 guarantees; checked here for JavaScript callers
    Validate.that(this, props.inTransitEncryption !== undefined, { prop: 'inTransitEncryption', value: undefined, allowed: 'required: TLS certificates (cdk-nag EMR5)' });
    Validate.that(this, props.authentication !== undefined, { prop: 'authentication', value: undefined, allowed: 'required: ClusterAuthentication.keyPair() or .kerberos() (cdk-nag EMR6)' });
    const label = this.releaseLabel;
    const version = parseReleaseLabel(label);
    Validate.that(this, version !== undefined, { prop: 'releaseLabel', value: label, allowed: 'emr-x.y.z, e.g. emr-7.12.0' });
    const [major, minor] = version!;
    Validate.that(this, major >= 7 || (major === 6 && minor >= 4) || (major === 5 && minor >= 34), {
      prop: 'releaseLabel',
      value: label,
      allowed: 'emr-5.34.0 or later on 5.x, emr-6.4.0 or later (auto-termination idle timeout)',
    });

    Validate.count(this, 'steps', 1, 256, props.steps);
    Validate.unique(this, 'steps[].name', props.steps.map((s) => s.name));
    props.steps.forEach((s, i) => {
      Validate.that(this, s.name.length >= 1 && s.name.length <= 256, { prop: `steps[${i}].name`, value: s.name, allowed: '1-256 characters' });
      Object.keys(s.sparkConf).forEach((k) => Validate.pattern(this, `steps[${i}].sparkConf`, '^spark\\.[A-Za-z0-9._-]+$', 'keys starting with "spark." (letters, digits, ".", "_", "-")', k));
    });

    const engines = new Set(props.steps.map((s) => s.engine));
    const apps = props.applications ?? [EmrApplication.SPARK, ...(engines.has(StepEngine.HIVE) ? [EmrApplication.HIVE] : [])];
    Validate.count(this, 'applications', 1, 20, apps);
    Validate.unique(this, 'applications', apps);
    Validate.that(this, !(apps.includes(EmrApplication.PRESTO) && apps.includes(EmrApplication.TRINO)), {
      prop: 'applications', value: apps, allowed: 'Presto or Trino, not both (EMR does not install PrestoDB and Trino on the same cluster)',
    });
    if (engines.has(StepEngine.SPARK)) {
      Validate.that(this, apps.includes(EmrApplication.SPARK), { prop: 'applications', value: apps, allowed: 'a list that includes Spark (a Spark step is given)' });
    }
    if (engines.has(StepEngine.HIVE)) {
      Validate.that(this, apps.includes(EmrApplication.HIVE), { prop: 'applications', value: apps, allowed: 'a list that includes Hive (a Hive step is given)' });
    }

    const checkTypes = (prop: string, types?: string[]) => {
      if (types === undefined) return;
      Validate.count(this, prop, 1, 30, types);
      Validate.unique(this, prop, types);
      types.forEach((t, i) => Validate.pattern(this, `${prop}[${i}]`, INSTANCE_TYPE, 'an EC2 instance type such as m5.xlarge', t));
    };
    checkTypes('master.instanceTypes', props.master?.instanceTypes);
    checkTypes('core.instanceTypes', props.core?.instanceTypes);
    checkTypes('task.instanceTypes', props.task?.instanceTypes);

    const coreCapacity = props.core?.onDemandCapacity ?? 2;
    Validate.integer(this, 'core.onDemandCapacity', 0, 10_000, coreCapacity, 'units');
    if (props.task) {
      Validate.that(this, coreCapacity >= 1, {
        prop: 'core.onDemandCapacity',
        value: coreCapacity,
        allowed: 'at least 1 when there are task nodes (a multi-node cluster needs at least one core node)',
      });
      const spot = props.task.spotCapacity ?? 2;
      const onDemand = props.task.onDemandCapacity ?? 0;
      Validate.integer(this, 'task.spotCapacity', 0, 10_000, spot, 'units');
      Validate.integer(this, 'task.onDemandCapacity', 0, 10_000, onDemand, 'units');
      Validate.that(this, spot + onDemand > 0, { prop: 'task.spotCapacity', value: spot, allowed: 'spotCapacity + onDemandCapacity above 0 (or no task fleet)' });
      if (props.task.spotTimeout) {
        Validate.integer(this, 'task.spotTimeout', 5, 1440, props.task.spotTimeout.toMinutes({ integral: false }), 'minutes');
      }
    }

    const s = props.managedScaling;
    if (s) {
      Validate.integer(this, 'managedScaling.minimumCapacityUnits', 1, 10_000, s.minimumCapacityUnits, 'units');
      Validate.integer(this, 'managedScaling.maximumCapacityUnits', s.minimumCapacityUnits, 10_000, s.maximumCapacityUnits, 'units', 'The maximum must be at least minimumCapacityUnits.');
      if (s.maximumOnDemandCapacityUnits !== undefined) {
        Validate.integer(this, 'managedScaling.maximumOnDemandCapacityUnits', 0, s.maximumCapacityUnits, s.maximumOnDemandCapacityUnits, 'units', 'It must be at most maximumCapacityUnits.');
      }
      if (s.maximumCoreCapacityUnits !== undefined) {
        Validate.integer(this, 'managedScaling.maximumCoreCapacityUnits', 1, s.maximumCapacityUnits, s.maximumCoreCapacityUnits, 'units', 'It must be at most maximumCapacityUnits.');
      }
      Validate.that(this, coreCapacity >= 1, { prop: 'managedScaling', value: 'given', allowed: 'only on a multi-node cluster (core.onDemandCapacity at least 1)' });
    }

    if (props.idleTimeout) Validate.integer(this, 'idleTimeout', 60, 604_800, props.idleTimeout.toSeconds(), 'seconds');
    if (props.stepTimeout) Validate.integer(this, 'stepTimeout', 60, 31_536_000, props.stepTimeout.toSeconds(), 'seconds');
    if (props.clusterName !== undefined) {
      Validate.that(this, props.clusterName.length >= 1 && props.clusterName.length <= 256, { prop: 'clusterName', value: props.clusterName, allowed: '1-256 characters' });
    }

    const auth = props.authentication;
    if (auth.keyName !== undefined) {
      Validate.pattern(this, 'authentication.keyName', '^[\\x20-\\x7E]{1,255}$', 'an EC2 key pair name (1-255 ASCII characters)', auth.keyName);
    }
    if (auth.kerberosOptions) {
      Validate.pattern(this, 'authentication.kerberos.realm', '^[A-Z0-9]+([.-][A-Z0-9]+)*$', 'an upper-case realm such as EC2.INTERNAL', auth.kerberosOptions.realm);
      const hours = auth.kerberosOptions.ticketLifetime?.toHours({ integral: false });
      Validate.integer(this, 'authentication.kerberos.ticketLifetime', 1, 8760, hours, 'hours');
    }

    const cert = props.inTransitEncryption.certificateKey;
    Validate.pattern(this, 'inTransitEncryption.certificateKey', '^[^/].*\\.zip$', 'the key of a .zip of PEM files, without a leading "/"', cert);
    const checkLocations = (prop: string, locations?: S3Location[]) => (locations ?? []).forEach((l, i) => {
      if (l.prefix !== undefined && !Token.isUnresolved(l.prefix)) {
        Validate.that(this, !l.prefix.startsWith('/') && !l.prefix.includes('*'), { prop: `${prop}[${i}].prefix`, value: l.prefix, allowed: 'a key prefix without a leading "/" and without "*"' });
      }
    });
    checkLocations('readLocations', props.readLocations);
    checkLocations('writeLocations', props.writeLocations);
    return apps;
  }

  private createSecurityConfiguration(props: TransientEmrClusterProps): emr.CfnSecurityConfiguration {
    const kerberos = props.authentication.kerberosOptions;
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
        KerberosConfiguration: {
          Provider: 'ClusterDedicatedKdc',
          ClusterDedicatedKdcConfiguration: { TicketLifetimeInHours: kerberos.ticketLifetime?.toHours() ?? 24 },
        },
      };
    }
    return new emr.CfnSecurityConfiguration(this, 'SecurityConfiguration', { securityConfiguration: config });
  }

  /** EMR (service role) creates EBS volumes encrypted with the key: it needs grants on it. */
  private grantServiceKeyUse(): void {
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
    );
  }

  private grantInstanceAccess(props: TransientEmrClusterProps): void {
    const p = this.instancePolicy;
    const access = s3Access(props.readLocations, props.writeLocations);
    p.addStatements(...access.statements);
    const keys = access.keys;
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
    const wildcardArns = new Set<string>([
      ...access.wildcardObjectArns.map((a) => nagResource(this, a)),
      nagResource(this, this.logBucket.arnForObjects(`${LOG_PREFIX}*`)),
    ]);
    for (const arn of wildcardArns) {
      NagAcknowledgements.acknowledge(p, `AwsSolutions-IAM5[Resource::${arn}]`,
        'EMRFS reads and writes objects whose keys Spark/Hive generate at run time, so the object ARN ends with "<prefix>*" on exactly one configured location (or the emr-logs/ prefix of the log bucket); there is no bucket-wide or service-wide wildcard.');
    }
  }
}

function actionOnFailure(a: StepFailureAction): tasks.ActionOnFailure {
  switch (a) {
    case StepFailureAction.CANCEL_AND_WAIT: return tasks.ActionOnFailure.CANCEL_AND_WAIT;
    case StepFailureAction.TERMINATE_CLUSTER: return tasks.ActionOnFailure.TERMINATE_CLUSTER;
    default: return tasks.ActionOnFailure.CONTINUE;
  }
}
