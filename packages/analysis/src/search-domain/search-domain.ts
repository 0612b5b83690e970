import {
  ConstructAlarms, CustomerManagedPolicies, NagAcknowledgements, OpenSearchLimits, PrivateSubnets,
  Sandbox, SearchCapacity, SearchEstimate, SearchWorkload, Validate,
} from '@analytics-patterns/core';
import { AdministratorRole, DataKey } from '@analytics-patterns/security';
import { ArnFormat, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as opensearch from 'aws-cdk-lib/aws-opensearchservice';
import * as sns from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { SearchDomainProps } from './search-domain-props';
import { oneSubnetPerZone } from './zone-subnets';

const LOG_TYPES = ['SearchSlowLogs', 'IndexSlowLogs', 'ApplicationLogs', 'AuditLogs'] as const;
const HTTP_ACTIONS = ['es:ESHttpGet', 'es:ESHttpHead', 'es:ESHttpPost', 'es:ESHttpPut', 'es:ESHttpDelete', 'es:ESHttpPatch'];
const WARM_TYPES = ['ultrawarm1.medium.search', 'ultrawarm1.large.search'];
/** T2/T3 instances: masters only with at most 10 data nodes; T2 data nodes at most 10 per domain. */
const SMALL_DOMAIN_NODES = 10;
const SMALL_TYPES = /^t[23]\./;
/** Writes are blocked at 20 GiB (or 5 %) free: the free-storage alarm's floor when the volume size is a token, MiB. */
const WRITE_BLOCK_MIB = 20 * 1024;
/** Share of the volume left free at which the free-storage alarm fires. */
const FREE_STORAGE_SHARE = 0.25;

/** Node layout resolved from the props (counts may be tokens, except the zone count). */
interface Layout {
  readonly zones: number;
  readonly dataNodes: number;
  readonly masterNodes: number;
  readonly dataType: string;
  readonly masterType: string;
  readonly warmNodes: number;
}

/**
 * An Amazon OpenSearch Service domain laid out as the notes (4.2) recommend:
 * three dedicated master nodes (no split brain), data nodes spread over three
 * Availability Zones (one subnet per zone used), storage sized from the data with AWS's
 * formula, optional UltraWarm and cold tiers (with their prerequisites checked at synth).
 *
 * Secure by default: inside a VPC (no public endpoint), encryption at rest with a
 * customer-managed key, node-to-node encryption, HTTPS only with TLS 1.2 (PFS),
 * fine-grained access control with an IAM master role, a domain policy naming the
 * principals allowed, slow/application/audit logs to encrypted log groups (the log
 * resource policy is a native CloudFormation resource, not a custom resource, limited
 * to this domain by `aws:SourceAccount`/`aws:SourceArn`), and alarms on red status, free
 * storage, JVM memory pressure (the notes' shard error), blocked writes and failed
 * snapshots that notify a topic.
 *
 * Index State Management policies (rollover, UltraWarm migration, deletion) live in
 * OpenSearch itself, not CloudFormation: create them with the OpenSearch API once
 * the domain exists.
 */
export class SearchDomain extends Construct implements ec2.IConnectable {
  /** The principal tag that lets a principal of this account assume the master role the construct creates (when no `adminAssumerArns`). */
  public static readonly ADMIN_TAG = 'analytics-patterns:search-admin';

  /** The domain. */
  public readonly domain: opensearch.Domain;
  /** Name of the domain. */
  public readonly domainName: string;
  /** The key that encrypts the domain, its logs and the alarm topic. */
  public readonly encryptionKey: kms.IKey;
  /** The fine-grained access control master role. */
  public readonly adminRole: iam.IRole;
  /** The domain's security group (HTTPS from the allowed peers only). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** The domain's security group(s) and HTTPS port. */
  public readonly connections: ec2.Connections;
  /** The subnets the domain is placed in: one per zone used. */
  public readonly subnets: ec2.ISubnet[];
  /** Storage and shard figures, when sized from a workload. */
  public readonly estimate?: SearchEstimate;
  /** gp3 volume size per data node, GiB (may be a token). */
  public readonly volumeSizeGiB: number;
  /** Log groups by log type. */
  public readonly logGroups: Record<string, logs.LogGroup>;
  /** The CloudWatch Logs resource policy that lets OpenSearch write the domain's logs. */
  public readonly logsResourcePolicy: logs.ResourcePolicy;
  /** The construct's alarms and the topic they notify. */
  public readonly monitoring: ConstructAlarms;

  constructor(scope: Construct, id: string, props: SearchDomainProps) {
    super(scope, id);
    const layout = this.validate(props);
    const storage = this.sizeStorage(props, layout);
    this.estimate = storage.estimate;
    this.volumeSizeGiB = storage.volumeSizeGiB;
    this.subnets = this.selectSubnets(props, layout.zones);
    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    this.adminRole = props.adminRole ?? new AdministratorRole(this, 'AdminRole', {
      description: `Fine-grained access control master role of ${this.node.path}`,
      adminTag: SearchDomain.ADMIN_TAG,
      assumerArns: props.adminAssumerArns,
    });
    this.logGroups = this.createLogGroups();
    this.securityGroup = this.createSecurityGroup(props);
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(443) });
    for (const peer of props.allowedPeers ?? []) this.connections.allowDefaultPortFrom(peer, 'HTTPS to OpenSearch');
    this.domainName = props.domainName ?? this.generatedName();
    this.logsResourcePolicy = this.createLogsResourcePolicy();
    this.domain = this.createDomain(props, layout);
    this.domain.node.addDependency(this.logsResourcePolicy);
    this.applyAccessPolicy();
    this.monitoring = new ConstructAlarms(this, { topic: props.alarmTopic, encryptionKey: this.encryptionKey });
    this.createAlarms();
    CustomerManagedPolicies.apply(this);
  }

  /** Every alarm of the domain. */
  public get alarms(): cloudwatch.Alarm[] {
    return this.monitoring.alarms;
  }

  /** The topic every alarm notifies. */
  public get alarmTopic(): sns.ITopic {
    return this.monitoring.topic;
  }

  /** Lets `grantee` read and write documents of every index over HTTPS (IAM side; map it to an OpenSearch role in fine-grained access control). */
  public grantReadWrite(grantee: iam.IGrantable): iam.Grant {
    return this.domain.grantReadWrite(grantee);
  }

  /** Lets `grantee` read and write documents of one index (and its sub-paths) over HTTPS (IAM side). */
  public grantIndexReadWrite(index: string, grantee: iam.IGrantable): iam.Grant {
    return this.domain.grantIndexReadWrite(index, grantee);
  }

  private validate(props: SearchDomainProps): Layout {
    const zones = props.availabilityZoneCount ?? 3;
    const layout: Layout = {
      zones,
      dataNodes: props.dataNodes ?? 3,
      masterNodes: props.masterNodes ?? 3,
      dataType: props.dataNodeInstanceType ?? 'r7g.large.search',
      masterType: props.masterNodeInstanceType ?? 'm7g.large.search',
      warmNodes: props.storageTiers?.warmNodes ?? 0,
    };
    Validate.that(this, !Token.isUnresolved(zones), { prop: 'availabilityZoneCount', value: 'a token', allowed: '2 or 3, known at synth time (it decides how many subnets the domain gets)' });
    Validate.oneOf(this, 'availabilityZoneCount', ['2', '3'], String(zones));
    this.validateNodes(layout);
    this.validateTiers(props, layout);
    Validate.resourceName(this, 'domainName', props.domainName, OpenSearchLimits.DOMAIN_NAME);
    Validate.that(this, !(props.adminRole && props.adminAssumerArns), {
      prop: 'adminAssumerArns', value: props.adminAssumerArns, allowed: 'only without adminRole (they decide who may assume the role the construct creates)',
    });
    return layout;
  }

  private validateNodes(l: Layout): void {
    Validate.number(this, l.dataNodes, { prop: 'dataNodes', ...OpenSearchLimits.DATA_NODES });
    if (!Token.isUnresolved(l.dataNodes)) {
      Validate.that(this, l.dataNodes % l.zones === 0, {
        prop: 'dataNodes', value: l.dataNodes, allowed: `a multiple of availabilityZoneCount (${l.zones}) so every zone holds the same share`,
      });
    }
    if (!Token.isUnresolved(l.masterNodes)) Validate.oneOf(this, 'masterNodes', OpenSearchLimits.MASTER_NODE_COUNTS.map(String), String(l.masterNodes));
    Validate.resourceName(this, 'dataNodeInstanceType', l.dataType, OpenSearchLimits.INSTANCE_TYPE);
    Validate.resourceName(this, 'masterNodeInstanceType', l.masterType, OpenSearchLimits.INSTANCE_TYPE);
    if (Token.isUnresolved(l.dataNodes) || l.dataNodes <= SMALL_DOMAIN_NODES) return;
    for (const [prop, type, pattern] of [['masterNodeInstanceType', l.masterType, SMALL_TYPES], ['dataNodeInstanceType', l.dataType, /^t2\./]] as const) {
      Validate.that(this, Token.isUnresolved(type) || !pattern.test(type), {
        prop, value: type, allowed: `not a ${prop === 'dataNodeInstanceType' ? 'T2' : 'T2/T3'} type with more than ${SMALL_DOMAIN_NODES} data nodes (${l.dataNodes} given)`,
      });
    }
  }

  private validateTiers(props: SearchDomainProps, l: Layout): void {
    const tiers = props.storageTiers ?? {};
    if (Token.isUnresolved(l.warmNodes) || l.warmNodes > 0) {
      Validate.number(this, l.warmNodes, { prop: 'storageTiers.warmNodes', ...OpenSearchLimits.WARM_NODES, hint: 'UltraWarm needs at least 2 nodes.' });
      Validate.oneOf(this, 'storageTiers.warmInstanceType', WARM_TYPES, tiers.warmInstanceType);
    } else {
      Validate.that(this, tiers.warmInstanceType === undefined, { prop: 'storageTiers.warmInstanceType', value: tiers.warmInstanceType, allowed: 'only with storageTiers.warmNodes' });
    }
    if (!tiers.coldStorage) return;
    Validate.that(this, Token.isUnresolved(l.warmNodes) || l.warmNodes > 0, { prop: 'storageTiers.coldStorage', value: true, allowed: 'only with UltraWarm (storageTiers.warmNodes >= 2)' });
    Validate.that(this, Token.isUnresolved(l.dataType) || !SMALL_TYPES.test(l.dataType), {
      prop: 'dataNodeInstanceType', value: l.dataType, allowed: 'not a T2/T3 type when cold storage is enabled',
    });
  }

  /** Volume per data node: from the workload (AWS's formula) or the prop, within the instance type's EBS limit. */
  private sizeStorage(props: SearchDomainProps, l: Layout): { volumeSizeGiB: number; estimate?: SearchEstimate } {
    const range = Token.isUnresolved(l.dataType) ? OpenSearchLimits.VOLUME_SIZE_GIB : OpenSearchLimits.volumeSizeGiB(l.dataType);
    if (!props.workload) {
      const volumeSizeGiB = props.volumeSizeGiB ?? 100;
      Validate.number(this, volumeSizeGiB, { prop: 'volumeSizeGiB', ...range, hint: `The gp3 limit of ${l.dataType} data nodes.` });
      return { volumeSizeGiB };
    }
    const estimate = this.estimateWorkload(props.workload, l.dataNodes);
    const volumeSizeGiB = Math.max(range.min, estimate.storagePerNodeGiB);
    Validate.that(this, volumeSizeGiB <= range.max, {
      prop: 'workload',
      value: `${estimate.minimumStorageGiB} GiB in total, ${estimate.storagePerNodeGiB} GiB per data node`,
      allowed: `at most ${range.max} GiB per ${l.dataType} data node (its gp3 EBS limit)`,
      hint: 'Add data nodes or choose a larger instance type.',
    });
    return { volumeSizeGiB, estimate };
  }

  private estimateWorkload(workload: SearchWorkload, dataNodes: number): SearchEstimate {
    const values = [workload.sourceDataGiB, workload.replicas, workload.growthPercent, workload.targetShardSizeGiB, dataNodes];
    Validate.that(this, !values.some((v) => v !== undefined && Token.isUnresolved(v)), {
      prop: 'workload', value: 'a token', allowed: 'values known at synth time, with dataNodes (the formula runs at synth; give volumeSizeGiB as a token instead)',
    });
    try {
      return SearchCapacity.estimate(workload, dataNodes);
    } catch (e) {
      // the formula's own range errors, re-thrown with this construct's path and the prop's name
      const m = /^invalid (\w+): (.*?)\. Allowed: (.*)\.$/.exec((e as Error).message);
      if (!m) throw e;
      Validate.fail(this, { prop: m[1] === 'dataNodes' ? 'dataNodes' : `workload.${m[1]}`, value: JSON.parse(m[2]), allowed: m[3] });
      throw e;
    }
  }

  private selectSubnets(props: SearchDomainProps, zones: number): ec2.ISubnet[] {
    const candidates = props.vpc.selectSubnets(props.vpcSubnets ?? PrivateSubnets.of(props.vpc)).subnets;
    const picked = oneSubnetPerZone(candidates, zones);
    if ('problem' in picked) {
      Validate.fail(this, {
        prop: 'vpcSubnets',
        value: `${candidates.length} subnets`,
        hint: `They are ${picked.problem}.`,
        allowed: `at least availabilityZoneCount (${zones}) subnets in distinct zones (the domain gets exactly one subnet per zone used)`,
      });
      return [];
    }
    return picked.subnets;
  }

  private createLogGroups(): Record<string, logs.LogGroup> {
    DataKey.allowCloudWatchLogs(this.encryptionKey);
    const groups: Record<string, logs.LogGroup> = {};
    for (const type of LOG_TYPES) {
      groups[type] = new logs.LogGroup(this, type, {
        encryptionKey: this.encryptionKey, retention: logs.RetentionDays.ONE_YEAR, removalPolicy: Sandbox.removalPolicy(this),
      });
    }
    return groups;
  }

  private createSecurityGroup(props: SearchDomainProps): ec2.SecurityGroup {
    return new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc, description: `OpenSearch domain ${this.node.path}: HTTPS from allowed peers only`, allowAllOutbound: false,
    });
  }

  /**
   * One policy for the four log groups (CloudWatch Logs allows 10 resource policies per
   * Region), limited to this domain. The logs.ResourcePolicy L2 renders a native
   * AWS::Logs::ResourcePolicy; the OpenSearch L2's own policy would be a Lambda-backed
   * custom resource, so it is suppressed.
   */
  private createLogsResourcePolicy(): logs.ResourcePolicy {
    const stack = Stack.of(this);
    return new logs.ResourcePolicy(this, 'LogsResourcePolicy', {
      resourcePolicyName: `${stack.stackName}-${this.node.addr}-opensearch-logs`.slice(0, 255),
      policyStatements: [new iam.PolicyStatement({
        sid: 'OpenSearchLogDelivery',
        principals: [new iam.ServicePrincipal('es.amazonaws.com')],
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: LOG_TYPES.map((t) => stack.formatArn({
          service: 'logs', resource: 'log-group', resourceName: `${this.logGroups[t].logGroupName}:*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
        })),
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': this.domainArn() },
        },
      })],
    });
  }

  private domainArn(): string {
    return Stack.of(this).formatArn({ service: 'es', resource: 'domain', resourceName: this.domainName });
  }

  /** A known name lets the policies name this domain's ARN without a circular reference. */
  private generatedName(): string {
    return Names.uniqueResourceName(this, { maxLength: OpenSearchLimits.DOMAIN_NAME.maxLength!, separator: '-' }).toLowerCase().replace(/^[^a-z]+/, 'd');
  }

  private createDomain(props: SearchDomainProps, l: Layout): opensearch.Domain {
    const tiers = props.storageTiers ?? {};
    const warm = Token.isUnresolved(l.warmNodes) || l.warmNodes > 0;
    return new opensearch.Domain(this, 'Domain', {
      domainName: this.domainName,
      version: props.version ?? opensearch.EngineVersion.OPENSEARCH_2_19,
      vpc: props.vpc,
      vpcSubnets: [{ subnets: this.subnets }],
      securityGroups: [this.securityGroup],
      zoneAwareness: { enabled: true, availabilityZoneCount: l.zones },
      capacity: {
        dataNodes: l.dataNodes,
        dataNodeInstanceType: l.dataType,
        masterNodes: l.masterNodes,
        masterNodeInstanceType: l.masterType,
        warmNodes: warm ? l.warmNodes : undefined,
        warmInstanceType: warm ? (tiers.warmInstanceType ?? WARM_TYPES[0]) : undefined,
      },
      coldStorageEnabled: tiers.coldStorage ? true : undefined,
      ebs: { volumeSize: this.volumeSizeGiB, volumeType: ec2.EbsDeviceVolumeType.GP3 },
      encryptionAtRest: { enabled: true, kmsKey: this.encryptionKey },
      nodeToNodeEncryption: true,
      enforceHttps: true,
      tlsSecurityPolicy: opensearch.TLSSecurityPolicy.TLS_1_2_PFS,
      fineGrainedAccessControl: { masterUserArn: this.adminRole.roleArn },
      logging: {
        slowSearchLogEnabled: true,
        slowSearchLogGroup: this.logGroups.SearchSlowLogs,
        slowIndexLogEnabled: true,
        slowIndexLogGroup: this.logGroups.IndexSlowLogs,
        appLogEnabled: true,
        appLogGroup: this.logGroups.ApplicationLogs,
        auditLogEnabled: true,
        auditLogGroup: this.logGroups.AuditLogs,
      },
      suppressLogsResourcePolicy: true,
      offPeakWindowEnabled: true,
      enableAutoSoftwareUpdate: true,
      removalPolicy: Sandbox.removalPolicy(this),
    });
  }

  /**
   * The domain policy on the L1 (deliberately): the L2's accessPolicies are applied by a
   * Lambda-backed custom resource. Only the master role is named; other principals of the
   * account reach the domain through their identity policies (grantReadWrite).
   */
  private applyAccessPolicy(): void {
    (this.domain.node.defaultChild as opensearch.CfnDomain).accessPolicies = new iam.PolicyDocument({
      statements: [new iam.PolicyStatement({
        sid: 'FineGrainedAccessControlMaster',
        principals: [this.adminRole],
        actions: HTTP_ACTIONS,
        resources: [`${this.domainArn()}/*`],
      })],
    }).toJSON();
    NagAcknowledgements.acknowledge(this.domain, 'AwsSolutions-OS3',
      'The domain has only a VPC endpoint: network access is limited by its security group (HTTPS from allowedPeers), IP conditions do not apply to VPC domains, and principals are limited by the domain policy and fine-grained access control.');
  }

  private createAlarms(): void {
    const fiveMinutes = Duration.minutes(5);
    const gte = cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD;
    const freeStorageMiB = Token.isUnresolved(this.volumeSizeGiB) ? WRITE_BLOCK_MIB : Math.floor(this.volumeSizeGiB * 1024 * FREE_STORAGE_SHARE);
    this.monitoring.add('ClusterRedAlarm', {
      metric: this.domain.metricClusterStatusRed({ statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: 1,
      comparisonOperator: gte,
      description: 'At least one primary shard is unassigned: some data cannot be searched or written.',
    });
    this.monitoring.add('FreeStorageAlarm', {
      metric: this.domain.metricFreeStorageSpace({ statistic: 'Minimum', period: fiveMinutes }),
      threshold: freeStorageMiB,
      comparisonOperator: cloudwatch.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD,
      description: `A data node has ${freeStorageMiB} MiB or less free storage; writes are blocked at 20 GiB or 5 %.`,
    });
    this.monitoring.add('JvmMemoryPressureAlarm', {
      metric: this.domain.metricJVMMemoryPressure({ statistic: 'Maximum', period: fiveMinutes }),
      threshold: 80,
      comparisonOperator: gte,
      description: 'JVM memory pressure is 80 % or more: too many or unbalanced shards (delete old indices, use fewer, larger shards).',
    });
    this.monitoring.add('WritesBlockedAlarm', {
      metric: this.domain.metricClusterIndexWritesBlocked({ statistic: 'Maximum', period: fiveMinutes }),
      threshold: 1,
      comparisonOperator: gte,
      description: 'The cluster blocks index writes (storage or memory pressure).',
    });
    this.monitoring.add('SnapshotFailureAlarm', {
      metric: this.domain.metricAutomatedSnapshotFailure({ statistic: 'Maximum', period: Duration.minutes(1) }),
      threshold: 1,
      comparisonOperator: gte,
      description: 'An automated snapshot failed.',
    });
  }
}
