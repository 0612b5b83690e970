import { CopyFilePlan, NagAcknowledgements, PrivateSubnets, RedshiftCapacity, RedshiftNodeType, Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { ArnFormat, Duration, Names, Stack, Token } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as redshift from 'aws-cdk-lib/aws-redshift';
import * as rss from 'aws-cdk-lib/aws-redshiftserverless';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { RedshiftWarehouseProps, WarehouseType } from './redshift-warehouse-props';
import { DataApiStatement } from '../redshift-data/data-api-states';
import { IDENTIFIER, IDENTIFIER_RULE, quoteIdent } from '../redshift-table/table-sql';

const LOG_TYPES = ['connectionlog', 'userlog', 'useractivitylog'];
const NAME = '^[a-z][a-z0-9-]{2,62}$';

/**
 * A Redshift data warehouse (notes 4.4) with the security practices of notes 6.x as defaults:
 *
 * - provisioned cluster (multi-node; node type and count validated) or Serverless;
 * - in private subnets of a given or new VPC, never publicly accessible, enhanced VPC routing
 *   (COPY/UNLOAD traffic goes through the VPC and its S3 gateway endpoint), non-default port;
 * - encrypted at rest with a customer-managed key; `require_ssl` on (encryption in flight);
 * - audit logging (connection, user, user activity) to CloudWatch log groups encrypted with the key,
 *   `enable_user_activity_logging` on; automated snapshots retained 7 days;
 * - admin password generated and stored in Secrets Manager, encrypted with the key: by Redshift
 *   itself for a cluster (`ManageMasterPassword`, managed rotation); in a generated secret for
 *   Serverless (CloudFormation does not expose the managed secret's ARN there); non-default admin name;
 * - one IAM role for COPY/UNLOAD/Spectrum, scoped to the given buckets, their keys and the Glue database;
 * - optional Spectrum external schema over a Glue database, created by a small state machine
 *   (Data API ExecuteStatement; CREATE EXTERNAL SCHEMA cannot run inside a transaction block).
 *
 * cdk-nag RS1-RS11 pass without acknowledgements.
 */
export class RedshiftWarehouse extends Construct {
  /** Provisioned or Serverless. */
  public readonly type: WarehouseType;
  /** The VPC (given or created). */
  public readonly vpc: ec2.IVpc;
  /** The warehouse's security group (no inbound rules: add your clients with `connections`). */
  public readonly securityGroup: ec2.SecurityGroup;
  /** Connections of the warehouse (its security group and port). */
  public readonly connections: ec2.Connections;
  /** The key that encrypts data, admin secret and logs. */
  public readonly encryptionKey: kms.IKey;
  /** The role Redshift assumes for COPY, UNLOAD and Spectrum. */
  public readonly role: iam.Role;
  /** Name of the database. */
  public readonly databaseName: string;
  /** Admin user name. */
  public readonly adminUsername: string;
  /** ARN of the Secrets Manager secret Redshift manages for the admin user. */
  public readonly adminSecretArn: string;
  /** Port. */
  public readonly port: number;
  /** ARN to scope Data API permissions to (cluster or workgroup ARN). */
  public readonly dataApiResourceArn: string;
  /** Cluster identifier (provisioned) or workgroup name (Serverless). */
  public readonly warehouseName: string;
  /** The cluster (provisioned). */
  public readonly cluster?: redshift.CfnCluster;
  /** The parameter group with require_ssl and enable_user_activity_logging (provisioned). */
  public readonly parameterGroup?: redshift.CfnClusterParameterGroup;
  /** The subnet group (provisioned). */
  public readonly subnetGroup?: redshift.CfnClusterSubnetGroup;
  /** The admin secret (Serverless; provisioned clusters use a Redshift-managed secret, see adminSecretArn). */
  public readonly adminSecret?: secretsmanager.Secret;
  /** The namespace (Serverless). */
  public readonly namespace?: rss.CfnNamespace;
  /** The workgroup (Serverless). */
  public readonly workgroup?: rss.CfnWorkgroup;
  /** Audit log groups, created ahead of Redshift so they are encrypted and retained (provisioned). */
  public readonly auditLogGroups: logs.LogGroup[] = [];
  /** Slices of the provisioned cluster (COPY loads one file per slice at a time); 0 for Serverless. */
  public readonly slices: number;
  /** Node type of the provisioned cluster (undefined for Serverless). */
  public readonly nodeType?: RedshiftNodeType;
  /** Compute nodes of the provisioned cluster (0 for Serverless). */
  public readonly numberOfNodes: number;
  /** The SQL that creates the Spectrum external schema, when `spectrum` is set. */
  public readonly spectrumSchemaSql?: string;
  /** State machine that runs `spectrumSchemaSql` (start it once after deploy), when `spectrum` is set. */
  public readonly setupStateMachine?: sfn.StateMachine;

  constructor(scope: Construct, id: string, props: RedshiftWarehouseProps = {}) {
    super(scope, id);
    this.type = props.type ?? WarehouseType.PROVISIONED;
    const serverless = this.type === WarehouseType.SERVERLESS;
    this.databaseName = props.databaseName ?? 'analytics';
    this.adminUsername = props.adminUsername ?? 'warehouse_admin';
    this.port = props.port ?? 5440;
    this.warehouseName = props.warehouseName ?? this.generatedName();
    const nodeType = props.nodeType ?? RedshiftNodeType.RA3_XLPLUS;
    const nodes = props.numberOfNodes ?? 2;
    this.validate(props, nodeType, nodes);
    this.slices = serverless ? 0 : RedshiftCapacity.slices(nodeType, nodes);
    this.nodeType = serverless ? undefined : nodeType;
    this.numberOfNodes = serverless ? 0 : nodes;

    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Data key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(this.encryptionKey);

    // ---- network ----
    this.vpc = props.vpc ?? this.createVpc(serverless ? 3 : 2);
    const subnets = this.vpc.selectSubnets(props.vpcSubnets ?? PrivateSubnets.of(this.vpc));
    Validate.that(this, subnets.subnets.every((s) => !this.vpc.publicSubnets.includes(s)), {
      prop: 'vpcSubnets', value: 'public subnets', allowed: 'private or isolated subnets (the warehouse is never reachable from the internet)',
    });
    if (serverless) {
      const azs = new Set(subnets.availabilityZones.filter((az) => !Token.isUnresolved(az)));
      Validate.that(this, subnets.subnetIds.length >= 3 && (azs.size === 0 || azs.size >= 3), {
        prop: 'vpcSubnets',
        value: `${subnets.subnetIds.length} subnets`,
        allowed: 'at least 3 subnets in 3 Availability Zones (Redshift Serverless workgroups need them)',
        hint: 'Use a VPC with 3 AZs (an environment-agnostic stack gets only 2: set env on the stack).',
      });
    }
    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: `Redshift ${this.node.path}: no inbound rule by default (the Data API needs none)`,
      allowAllOutbound: false,
    });
    // COPY/UNLOAD/Spectrum reach S3 (and Glue) over HTTPS; with enhanced VPC routing this goes through the VPC
    this.securityGroup.addEgressRule(ec2.Peer.anyIpv4(), ec2.Port.tcp(443), 'HTTPS to S3 (gateway endpoint) and Glue for COPY/UNLOAD/Spectrum');
    this.connections = new ec2.Connections({ securityGroups: [this.securityGroup], defaultPort: ec2.Port.tcp(this.port) });
    if (props.spectrum && !props.vpc) {
      // with enhanced VPC routing in subnets without internet access, Spectrum reaches the Glue Data Catalog through an endpoint
      const glueEndpoint = (this.vpc as ec2.Vpc).addInterfaceEndpoint('GlueEndpoint', {
        service: ec2.InterfaceVpcEndpointAwsService.GLUE, privateDnsEnabled: true, open: false, subnets: props.vpcSubnets,
      });
      glueEndpoint.connections.allowFrom(this.securityGroup, ec2.Port.tcp(443), 'Spectrum to the Glue Data Catalog');
    }

    // ---- role for COPY / UNLOAD / Spectrum ----
    this.role = new iam.Role(this, 'Role', {
      description: `COPY/UNLOAD/Spectrum role of ${this.node.path}`,
      assumedBy: new iam.CompositePrincipal(
        new iam.ServicePrincipal('redshift.amazonaws.com'),
        ...(serverless ? [new iam.ServicePrincipal('redshift-serverless.amazonaws.com')] : []),
      ),
    });
    for (const bucket of props.loadBuckets ?? []) this.grantLoadFrom(bucket);

    // ---- warehouse ----
    if (serverless) {
      // CloudFormation does not return the ARN of a Redshift-managed admin secret for a
      // Serverless namespace (no Namespace.AdminPasswordSecretArn attribute), and the Data API
      // needs that ARN: the admin password lives in a secret of our own instead.
      this.adminSecret = new secretsmanager.Secret(this, 'AdminSecret', {
        description: `Admin credentials of ${this.node.path} (Redshift Serverless)`,
        encryptionKey: this.encryptionKey,
        generateSecretString: {
          secretStringTemplate: JSON.stringify({ username: this.adminUsername }),
          generateStringKey: 'password',
          passwordLength: 32,
          excludePunctuation: true,
          requireEachIncludedType: true,
        },
        removalPolicy: Sandbox.removalPolicy(this),
      });
      NagAcknowledgements.acknowledge(this.adminSecret, 'AwsSolutions-SMG4',
        'Secrets Manager has no hosted rotation template for Redshift Serverless admin users and the Redshift-managed alternative (ManageAdminPassword) does not expose its secret ARN to CloudFormation; rotate with UpdateNamespace --manage-admin-password or a custom rotation function.');
      this.namespace = new rss.CfnNamespace(this, 'Namespace', {
        namespaceName: this.warehouseName,
        dbName: this.databaseName,
        adminUsername: this.adminUsername,
        adminUserPassword: this.adminSecret.secretValueFromJson('password').unsafeUnwrap(),
        kmsKeyId: this.encryptionKey.keyArn,
        iamRoles: [this.role.roleArn],
        defaultIamRoleArn: this.role.roleArn,
        logExports: LOG_TYPES,
      });
      this.namespace.applyRemovalPolicy(Sandbox.removalPolicy(this));
      this.workgroup = new rss.CfnWorkgroup(this, 'Workgroup', {
        workgroupName: this.warehouseName,
        namespaceName: this.warehouseName,
        baseCapacity: props.baseCapacity ?? 8,
        enhancedVpcRouting: true,
        publiclyAccessible: false,
        port: this.port,
        subnetIds: subnets.subnetIds,
        securityGroupIds: [this.securityGroup.securityGroupId],
        configParameters: [
          { parameterKey: 'require_ssl', parameterValue: 'true' },
          { parameterKey: 'enable_user_activity_logging', parameterValue: 'true' },
        ],
      });
      this.workgroup.addResourceDependency(this.namespace);
      this.workgroup.applyRemovalPolicy(Sandbox.removalPolicy(this));
      this.adminSecretArn = this.adminSecret.secretArn;
      this.dataApiResourceArn = this.workgroup.attrWorkgroupWorkgroupArn;
    } else {
      this.parameterGroup = new redshift.CfnClusterParameterGroup(this, 'Parameters', {
        description: `Parameters of ${this.node.path}: TLS required, user activity logged`,
        parameterGroupFamily: 'redshift-1.0',
        parameters: [
          { parameterName: 'require_ssl', parameterValue: 'true' },
          { parameterName: 'enable_user_activity_logging', parameterValue: 'true' },
        ],
      });
      this.subnetGroup = new redshift.CfnClusterSubnetGroup(this, 'Subnets', {
        description: `Private subnets of ${this.node.path}`,
        subnetIds: subnets.subnetIds,
      });
      for (const type of LOG_TYPES) {
        this.auditLogGroups.push(new logs.LogGroup(this, `AuditLog-${type}`, {
          logGroupName: `/aws/redshift/cluster/${this.warehouseName}/${type}`,
          encryptionKey: this.encryptionKey,
          retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
          removalPolicy: Sandbox.removalPolicy(this),
        }));
      }
      this.cluster = new redshift.CfnCluster(this, 'Cluster', {
        clusterIdentifier: this.warehouseName,
        clusterType: nodes > 1 ? 'multi-node' : 'single-node',
        nodeType,
        numberOfNodes: nodes > 1 ? nodes : undefined,
        dbName: this.databaseName,
        masterUsername: this.adminUsername,
        manageMasterPassword: true,
        masterPasswordSecretKmsKeyId: this.encryptionKey.keyArn,
        encrypted: true,
        kmsKeyId: this.encryptionKey.keyArn,
        publiclyAccessible: false,
        enhancedVpcRouting: true,
        port: this.port,
        clusterSubnetGroupName: this.subnetGroup.ref,
        vpcSecurityGroupIds: [this.securityGroup.securityGroupId],
        clusterParameterGroupName: this.parameterGroup.ref,
        automatedSnapshotRetentionPeriod: (props.snapshotRetention ?? Duration.days(7)).toDays(),
        preferredMaintenanceWindow: props.preferredMaintenanceWindow ?? 'sun:03:00-sun:03:30',
        allowVersionUpgrade: true,
        iamRoles: [this.role.roleArn],
        loggingProperties: { logDestinationType: 'cloudwatch', logExports: LOG_TYPES },
      });
      this.auditLogGroups.forEach((g) => this.cluster!.node.addDependency(g));
      this.cluster.applyRemovalPolicy(Sandbox.removalPolicy(this));
      this.adminSecretArn = this.cluster.attrMasterPasswordSecretArn;
      this.dataApiResourceArn = Stack.of(this).formatArn({
        service: 'redshift', resource: 'cluster', resourceName: this.warehouseName, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      });
    }

    if (props.spectrum) {
      const s = props.spectrum;
      this.spectrumSchemaSql = `CREATE EXTERNAL SCHEMA IF NOT EXISTS ${quoteIdent(s.schemaName)} FROM DATA CATALOG `
        + `DATABASE '${s.glueDatabaseName}' IAM_ROLE '${this.role.roleArn}'`;
      this.grantSpectrum(s.glueDatabaseName);
      for (const bucket of s.dataBuckets ?? []) this.grantLoadFrom(bucket);
      this.setupStateMachine = this.createSetupStateMachine(props);
    }
  }

  /**
   * How to split a COPY of `totalCompressedMb` into files for this cluster: a multiple of its
   * slice count, each file at most 125 MB after compression (notes 4.4). Provisioned clusters only.
   */
  public planCopyFiles(totalCompressedMb: number): CopyFilePlan {
    if (this.nodeType === undefined) {
      throw new Error(`[${this.node.path}] planCopyFiles needs a provisioned cluster: Redshift Serverless has no fixed slice count`);
    }
    return RedshiftCapacity.copyFilesFor({ nodeType: this.nodeType, numberOfNodes: this.numberOfNodes, totalCompressedMb });
  }

  /** Lets COPY (and Spectrum) read objects of `bucket` under `prefix`, and decrypt them. */
  public grantLoadFrom(bucket: s3.IBucket, prefix?: string): void {
    const objects = bucket.arnForObjects(`${prefix ?? ''}*`);
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:GetBucketLocation', 's3:ListBucket'],
      resources: [bucket.bucketArn, objects],
    }));
    if (bucket.encryptionKey) {
      this.role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['kms:Decrypt'],
        resources: [bucket.encryptionKey.keyArn],
      }));
    }
    const res = bucket.node.defaultChild as s3.CfnBucket | undefined;
    const reason = 'COPY reads every file a manifest lists and Spectrum every object of a table location: object keys are only known at run time, so object ARNs end with a wildcard under the bucket (or prefix).';
    if (res) {
      const suffix = prefix ? `${prefix}*` : '*';
      NagAcknowledgements.acknowledge(this.role, `AwsSolutions-IAM5[Resource::<${Stack.of(res).getLogicalId(res)}.Arn>/${suffix}]`, reason);
    } else {
      NagAcknowledgements.acknowledge(this.role, 'AwsSolutions-IAM5', reason);
    }
  }

  /**
   * Lets `grantee` run SQL through the Redshift Data API as the admin user: Execute/BatchExecute
   * on this warehouse only, DescribeStatement on its own statements, read of the admin secret.
   */
  public grantDataApi(grantee: iam.IGrantable): iam.Grant {
    const grant = iam.Grant.addToPrincipal({
      grantee,
      actions: ['redshift-data:ExecuteStatement', 'redshift-data:BatchExecuteStatement'],
      resourceArns: [this.dataApiResourceArn],
    });
    // DescribeStatement/GetStatementResult/CancelStatement have no resource type: "*" limited to the caller's own statements
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['redshift-data:DescribeStatement'],
      resources: ['*'],
      conditions: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
    }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['secretsmanager:GetSecretValue'],
      resources: [this.adminSecretArn],
    }));
    grantee.grantPrincipal.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['kms:Decrypt'],
      resources: [this.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
    }));
    return grant;
  }

  /** Data API arguments that select this warehouse, database and credentials. */
  public dataApiTarget(database?: string): Record<string, string> {
    return {
      ...(this.type === WarehouseType.SERVERLESS ? { WorkgroupName: this.warehouseName } : { ClusterIdentifier: this.warehouseName }),
      Database: database ?? this.databaseName,
      SecretArn: this.adminSecretArn,
    };
  }

  private grantSpectrum(glueDatabase: string): void {
    const stack = Stack.of(this);
    const arn = (resource: string, name?: string) => stack.formatArn({ service: 'glue', resource, resourceName: name });
    this.role.addToPrincipalPolicy(new iam.PolicyStatement({
      actions: ['glue:GetDatabase', 'glue:GetTable', 'glue:GetTables', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
      resources: [arn('catalog'), arn('database', glueDatabase), arn('table', `${glueDatabase}/*`)],
    }));
    const tableArn = arn('table', `${glueDatabase}/*`);
    const finding = Token.isUnresolved(tableArn) ? `arn:<AWS::Partition>:glue:<AWS::Region>:<AWS::AccountId>:table/${glueDatabase}/*` : tableArn;
    NagAcknowledgements.acknowledge(this.role, `AwsSolutions-IAM5[Resource::${finding}]`,
      'Spectrum reads whichever tables the external schema\'s Glue database holds; the wildcard is limited to that one database.');
  }

  private createSetupStateMachine(props: RedshiftWarehouseProps): sfn.StateMachine {
    const statement = new DataApiStatement(this, 'SetupStatement', {
      prefix: 'Spectrum',
      target: this.dataApiTarget(),
      sql: this.spectrumSchemaSql,
      statementName: `${this.warehouseName}-spectrum-schema`,
      pollInterval: Duration.seconds(5),
      maxAttempts: 3,
      next: new sfn.Succeed(this, 'Done'),
    });
    const logGroup = new logs.LogGroup(this, 'SetupLogs', {
      encryptionKey: this.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    const sm = new sfn.StateMachine(this, 'Setup', {
      definitionBody: sfn.DefinitionBody.fromChainable(statement.startState),
      queryLanguage: sfn.QueryLanguage.JSONATA,
      timeout: Duration.minutes(30),
      comment: `Creates the Spectrum external schema of ${this.node.path} (idempotent: IF NOT EXISTS)`,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
    });
    this.grantDataApi(sm);
    NagAcknowledgements.acknowledge(sm, 'AwsSolutions-IAM5[Resource::*]',
      'Only for actions without resource-level permissions: redshift-data:DescribeStatement (limited to the role\'s own statements by a condition), X-Ray trace segments and CloudWatch Logs delivery management.');
    return sm;
  }

  private createVpc(maxAzs: number): ec2.Vpc {
    const vpc = new ec2.Vpc(this, 'Vpc', {
      maxAzs,
      natGateways: 0,
      subnetConfiguration: [{ name: 'warehouse', subnetType: ec2.SubnetType.PRIVATE_ISOLATED, cidrMask: 24 }],
      gatewayEndpoints: { S3: { service: ec2.GatewayVpcEndpointAwsService.S3 } },
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      encryptionKey: this.encryptionKey,
      retention: logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    vpc.addFlowLog('FlowLog', { destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs), trafficType: ec2.FlowLogTrafficType.REJECT });
    return vpc;
  }

  private generatedName(): string {
    const raw = Names.uniqueResourceName(this, { maxLength: 60, separator: '-' }).toLowerCase();
    const clean = raw.replace(/[^a-z0-9-]/g, '').replace(/-+/g, '-').replace(/^-|-$/g, '');
    return /^[a-z]/.test(clean) ? clean : `rs-${clean}`.slice(0, 60);
  }

  private validate(props: RedshiftWarehouseProps, nodeType: RedshiftNodeType, nodes: number): void {
    const serverless = this.type === WarehouseType.SERVERLESS;
    if (serverless) {
      for (const p of ['nodeType', 'numberOfNodes', 'snapshotRetention', 'preferredMaintenanceWindow'] as const) {
        Validate.that(this, props[p] === undefined, { prop: p, value: props[p], allowed: 'not set with WarehouseType.SERVERLESS (provisioned clusters only)' });
      }
      const rpu = props.baseCapacity ?? 8;
      const validRpu = rpu === 4 || (rpu >= 8 && rpu <= 512 && rpu % 8 === 0) || (rpu > 512 && rpu <= 1024 && rpu % 32 === 0);
      Validate.that(this, Number.isInteger(rpu) && validRpu, {
        prop: 'baseCapacity', value: rpu, allowed: '4, 8-512 in steps of 8, or 512-1024 in steps of 32 RPUs',
      });
    } else {
      Validate.that(this, props.baseCapacity === undefined, { prop: 'baseCapacity', value: props.baseCapacity, allowed: 'only with WarehouseType.SERVERLESS' });
      const d = RedshiftCapacity.nodeTypeDetails(nodeType);
      Validate.integer(this, 'numberOfNodes', d.minNodes, d.maxNodes, nodes, `nodes for ${nodeType}`);
      Validate.that(this, nodes > 1 || Sandbox.isEnabled(this), {
        prop: 'numberOfNodes',
        value: nodes,
        allowed: `2-${d.maxNodes} nodes (a single-node cluster has no replication across nodes and no elastic resize: only in sandbox mode)`,
      });
      if (props.snapshotRetention) {
        Validate.integer(this, 'snapshotRetention', 1, 35, props.snapshotRetention.toDays({ integral: false }), 'days');
      }
      if (props.preferredMaintenanceWindow !== undefined) {
        Validate.pattern(this, 'preferredMaintenanceWindow', '^(mon|tue|wed|thu|fri|sat|sun):([01]\\d|2[0-3]):[0-5]\\d-(mon|tue|wed|thu|fri|sat|sun):([01]\\d|2[0-3]):[0-5]\\d$',
          'ddd:hh24:mi-ddd:hh24:mi (UTC), e.g. sun:03:00-sun:03:30', props.preferredMaintenanceWindow);
      }
    }
    const port = this.port;
    Validate.that(this, Number.isInteger(port) && port !== 5439 && ((port >= 5431 && port <= 5455) || (port >= 8191 && port <= 8215)), {
      prop: 'port', value: port, allowed: '5431-5455 or 8191-8215, except the default 5439 (cdk-nag RS4)',
    });
    Validate.pattern(this, 'databaseName', '^[a-z_][a-z0-9_$]{0,63}$', 'lower-case letters, digits, "_" and "$", starting with a letter or "_", at most 64 characters', this.databaseName);
    Validate.pattern(this, 'adminUsername', '^[a-z][a-z0-9_]{0,127}$', 'lower-case letters, digits and "_", starting with a letter, at most 128 characters', this.adminUsername);
    Validate.that(this, !['awsuser', 'admin', 'rdsadmin', 'postgres', 'public'].includes(this.adminUsername), {
      prop: 'adminUsername', value: this.adminUsername, allowed: 'a name other than awsuser (the default, cdk-nag RS3) and reserved names (admin, rdsadmin, postgres, public)',
    });
    Validate.pattern(this, 'warehouseName', NAME, 'lower-case letters, digits and "-", starting with a letter, 3-63 characters', this.warehouseName);
    Validate.that(this, !this.warehouseName.includes('--') && !this.warehouseName.endsWith('-'), {
      prop: 'warehouseName', value: this.warehouseName, allowed: 'no two consecutive hyphens and no trailing hyphen',
    });
    if (props.spectrum) {
      Validate.that(this, IDENTIFIER.test(props.spectrum.schemaName), { prop: 'spectrum.schemaName', value: props.spectrum.schemaName, allowed: IDENTIFIER_RULE });
      Validate.pattern(this, 'spectrum.glueDatabaseName', '^[a-z0-9_]{1,255}$', 'a Glue database name: lower-case letters, digits and "_"', props.spectrum.glueDatabaseName);
    }
  }
}
