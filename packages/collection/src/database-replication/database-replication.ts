import { NagAcknowledgements, PrivateSubnets, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Names, Stack } from 'aws-cdk-lib';
import * as dms from 'aws-cdk-lib/aws-dms';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';

/** Source database engines. */
export enum SourceEngine {
  /** MySQL or MariaDB (CDC needs binary logging in ROW format). */
  MYSQL = 'mysql',
  /** PostgreSQL (CDC needs logical replication). */
  POSTGRES = 'postgres',
}

/** What to replicate. */
export enum ReplicationType {
  /** Copy the tables once. */
  FULL_LOAD = 'full-load',
  /** Stream changes only. */
  CDC = 'cdc',
  /** Copy, then keep streaming changes (an on-going replica in the lake). */
  FULL_LOAD_AND_CDC = 'full-load-and-cdc',
}

/** A table selection rule: schema and table name, `%` as a wildcard. */
export interface TableSelection {
  /** Schema name (or pattern). */
  readonly schema: string;
  /**
   * Table name (or pattern).
   * @default '%' (every table of the schema)
   */
  readonly table?: string;
}

/** Props for {@link DatabaseReplication}. */
export interface DatabaseReplicationProps {
  /** VPC from which DMS reaches the source database and S3. */
  readonly vpc: ec2.IVpc;
  /**
   * Subnets of the replication (at least two zones).
   * @default - the VPC's private subnets
   */
  readonly vpcSubnets?: ec2.SubnetSelection;
  /** Source engine. */
  readonly engine: SourceEngine;
  /** Source database name. */
  readonly databaseName: string;
  /**
   * Secret with the source's `host`, `port`, `username` and `password` (the format DMS reads);
   * the connection always uses TLS.
   */
  readonly sourceSecret: secretsmanager.ISecret;
  /**
   * Where the source database is, for the security group's egress rule.
   * @default - any IPv4 address (only on the database port)
   */
  readonly sourcePeer?: ec2.IPeer;
  /**
   * Port of the source database.
   * @default 3306 for MySQL, 5432 for PostgreSQL
   */
  readonly sourcePort?: number;
  /** Tables to replicate (at least one rule). */
  readonly tables: TableSelection[];
  /** Bucket of the lake's raw zone. */
  readonly targetBucket: s3.IBucket;
  /**
   * Prefix under which DMS writes `<schema>/<table>/YYYY/MM/DD/` Parquet files.
   * @default 'dms'
   */
  readonly targetPrefix?: string;
  /**
   * Full load, CDC, or both.
   * @default ReplicationType.FULL_LOAD_AND_CDC
   */
  readonly replicationType?: ReplicationType;
  /**
   * Most DMS capacity units (DCUs) DMS Serverless may scale to: 1, 2, 4, 8, 16, 32, 64, 128, 192, 256 or 384.
   * @default 16
   */
  readonly maxCapacityUnits?: number;
  /**
   * Fewest DCUs.
   * @default 2
   */
  readonly minCapacityUnits?: number;
  /**
   * Run in two Availability Zones.
   * @default true
   */
  readonly multiAz?: boolean;
  /**
   * Key for DMS storage and the S3 objects (if the bucket has no key of its own).
   * @default - the bucket's key, or a new DataKey
   */
  readonly encryptionKey?: kms.IKey;
}

const DCU_VALUES = [1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384];
const NAME = '^[A-Za-z0-9_$%]{1,128}$';

/**
 * Replicates an on-premises or EC2-hosted database into the data lake with AWS
 * DMS Serverless (notes 1.5): a full load and then change data capture into
 * date-partitioned Parquet files under `s3://<bucket>/<prefix>/<schema>/<table>/`,
 * encrypted with a customer-managed key, from a source reached over TLS with
 * credentials read from Secrets Manager by a role scoped to that secret.
 *
 * The schema conversion tool, Storage Gateway, DataSync, Direct Connect and the
 * Snow family from the notes are not CloudFormation-deployed pipelines; this
 * construct covers the DMS path. DMS needs the account-level `dms-vpc-role`
 * (created once per account by the console or CLI).
 */
export class DatabaseReplication extends Construct {
  /** The serverless replication. */
  public readonly replication: dms.CfnReplicationConfig;
  /** Source endpoint. */
  public readonly sourceEndpoint: dms.CfnEndpoint;
  /** Target (S3) endpoint. */
  public readonly targetEndpoint: dms.CfnEndpoint;
  /** Security group of the replication. */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Role DMS uses to write to S3. */
  public readonly targetRole: iam.Role;
  /** Role DMS uses to read the source secret. */
  public readonly secretRole: iam.Role;
  /** Key of DMS storage. */
  public readonly encryptionKey: kms.IKey;

  constructor(scope: Construct, id: string, props: DatabaseReplicationProps) {
    super(scope, id);
    Validate.pattern(this, 'databaseName', '^[A-Za-z0-9_$-]{1,128}$', 'a database name', props.databaseName);
    Validate.count(this, 'tables', 1, 1000, props.tables);
    props.tables.forEach((t, i) => {
      Validate.pattern(this, `tables[${i}].schema`, NAME, 'a schema name or pattern (letters, digits, "_", "$", "%")', t.schema);
      Validate.pattern(this, `tables[${i}].table`, NAME, 'a table name or pattern (letters, digits, "_", "$", "%")', t.table);
    });
    const prefix = props.targetPrefix ?? 'dms';
    Validate.pattern(this, 'targetPrefix', '^[A-Za-z0-9!_.*\'()/-]{1,200}$', 'an S3 key prefix without expressions', prefix);
    const max = props.maxCapacityUnits ?? 16;
    const min = props.minCapacityUnits ?? Math.min(2, max);
    Validate.oneOf(this, 'maxCapacityUnits', DCU_VALUES.map(String), String(max));
    Validate.oneOf(this, 'minCapacityUnits', DCU_VALUES.map(String), String(min));
    Validate.that(this, min <= max, { prop: 'minCapacityUnits', value: min, allowed: `at most maxCapacityUnits (${max})` });
    const subnets = props.vpc.selectSubnets(props.vpcSubnets ?? PrivateSubnets.of(props.vpc));
    Validate.that(this, new Set(subnets.availabilityZones).size >= 2, {
      prop: 'vpcSubnets', value: `${subnets.subnets.length} subnets`, allowed: 'subnets in at least two Availability Zones',
    });

    const stack = Stack.of(this);
    this.encryptionKey = props.encryptionKey ?? props.targetBucket.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    const objectKey = props.targetBucket.encryptionKey ?? this.encryptionKey;
    const dmsPrincipal = new iam.CompositePrincipal(
      new iam.ServicePrincipal('dms.amazonaws.com'), new iam.ServicePrincipal(`dms.${stack.region}.amazonaws.com`));

    this.targetRole = new iam.Role(this, 'TargetRole', { description: `DMS writes ${this.node.path}'s Parquet files`, assumedBy: dmsPrincipal });
    const targetPolicy = new iam.Policy(this, 'TargetPolicy', {
      roles: [this.targetRole],
      statements: [
        new iam.PolicyStatement({ sid: 'ListTarget', actions: ['s3:ListBucket', 's3:GetBucketLocation'], resources: [props.targetBucket.bucketArn] }),
        new iam.PolicyStatement({ sid: 'WriteTarget', actions: ['s3:PutObject', 's3:DeleteObject', 's3:PutObjectTagging'], resources: [props.targetBucket.arnForObjects(`${prefix}/*`)] }),
        new iam.PolicyStatement({ sid: 'EncryptTarget', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: [objectKey.keyArn] }),
      ],
    });
    const bucketCfn = props.targetBucket.node.defaultChild;
    NagAcknowledgements.acknowledge(targetPolicy, bucketCfn ? `AwsSolutions-IAM5[Resource::<${stack.getLogicalId(bucketCfn as any)}.Arn>/${prefix}/*]` : 'AwsSolutions-IAM5',
      'DMS writes one object per table and batch under the replication prefix; the object ARN must end with a wildcard.');

    this.secretRole = new iam.Role(this, 'SecretRole', { description: `DMS reads ${this.node.path}'s source credentials`, assumedBy: dmsPrincipal });
    props.sourceSecret.grantRead(this.secretRole);

    const subnetGroup = new dms.CfnReplicationSubnetGroup(this, 'SubnetGroup', {
      replicationSubnetGroupDescription: `Subnets of ${this.node.path}`,
      subnetIds: subnets.subnetIds,
    });
    const sourcePort = props.sourcePort ?? (props.engine === SourceEngine.MYSQL ? 3306 : 5432);
    Validate.integer(this, 'sourcePort', 1, 65535, sourcePort);
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: props.vpc,
      allowAllOutbound: false,
      description: `DMS ${this.node.path}: outbound to the source database port and HTTPS (S3, Secrets Manager) only; no inbound`,
    });
    this.securityGroup.addEgressRule(props.sourcePeer ?? ec2.Peer.anyIpv4(), ec2.Port.tcp(sourcePort), 'Source database');
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to S3 and Secrets Manager (endpoints or NAT)');

    const secretSettings = { secretsManagerSecretId: props.sourceSecret.secretArn, secretsManagerAccessRoleArn: this.secretRole.roleArn };
    this.sourceEndpoint = new dms.CfnEndpoint(this, 'Source', {
      endpointType: 'source',
      engineName: props.engine,
      databaseName: props.databaseName,
      sslMode: 'require',
      mySqlSettings: props.engine === SourceEngine.MYSQL ? secretSettings : undefined,
      postgreSqlSettings: props.engine === SourceEngine.POSTGRES ? secretSettings : undefined,
    });
    this.targetEndpoint = new dms.CfnEndpoint(this, 'Target', {
      endpointType: 'target',
      engineName: 's3',
      s3Settings: {
        bucketName: props.targetBucket.bucketName,
        bucketFolder: prefix,
        serviceAccessRoleArn: this.targetRole.roleArn,
        dataFormat: 'parquet',
        parquetVersion: 'parquet-2-0',
        encryptionMode: 'SSE_KMS',
        serverSideEncryptionKmsKeyId: objectKey.keyArn,
        datePartitionEnabled: true,
        datePartitionSequence: 'YYYYMMDD',
        datePartitionDelimiter: 'SLASH',
        timestampColumnName: 'dms_commit_ts',
        includeOpForFullLoad: true,
      },
    });
    this.targetEndpoint.node.addDependency(targetPolicy);

    const rules = props.tables.map((t, i) => ({
      'rule-type': 'selection',
      'rule-id': String(i + 1),
      'rule-name': `include-${i + 1}`,
      'object-locator': { 'schema-name': t.schema, 'table-name': t.table ?? '%' },
      'rule-action': 'include',
    }));
    this.replication = new dms.CfnReplicationConfig(this, 'Replication', {
      replicationConfigIdentifier: Names.uniqueResourceName(this, { maxLength: 255, separator: '-' }).toLowerCase(),
      replicationType: props.replicationType ?? ReplicationType.FULL_LOAD_AND_CDC,
      sourceEndpointArn: this.sourceEndpoint.ref,
      targetEndpointArn: this.targetEndpoint.ref,
      tableMappings: { rules },
      computeConfig: {
        maxCapacityUnits: max,
        minCapacityUnits: min,
        multiAz: props.multiAz ?? true,
        kmsKeyId: this.encryptionKey.keyArn,
        replicationSubnetGroupId: subnetGroup.ref,
        vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
      },
    });
  }
}
