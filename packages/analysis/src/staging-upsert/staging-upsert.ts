import {
  AlarmTopic, CustomerManagedPolicies, NagAcknowledgements, RedshiftLimits, Sandbox, SchedulerLimits, SchedulerPrincipal, StepFunctionsLimits,
  TimeUnit, Validate,
} from '@analytics-patterns/core';
import { CfnResource, Duration, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as schedulerTargets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { manifestStates, UpsertSettings } from './manifest-states';
import { StagingUpsertProps } from './staging-upsert-props';
import { UpsertLimits } from './upsert-limits';
import { LOAD_VALUE_RULES, StagingUpsertSql } from './upsert-sql';
import { DataApiStatement, DDL_RACE_ERROR } from '../redshift-data/data-api-states';

/** Characters accepted in manifest keys and prefixes: S3's "safe characters" without the quote, plus "/". */
const KEY_CHARS = 'A-Za-z0-9!_.()=/-';
const AFFIX = `^[${KEY_CHARS}]{1,200}$`;

/**
 * A recurring, exactly-once, last-writer-correct load of S3 files into a Redshift table through
 * a temporary staging table (notes 4.4), run by a Step Functions state machine (L2, JSONata) with
 * native S3 and Redshift Data API integrations (no Lambda). See README.md for the design:
 *
 * ```
 * manifest lands (EventBridge) / schedule / by hand
 *   -> key allow-list -> GetObject (ETag, version id) -> HeadObject every data file (ETag, size)
 *   -> data id = SHA-256 over the sorted files -> PutObject a frozen copy of the manifest
 *   -> DDL IF NOT EXISTS (retried when two first loads race)
 *   -> one batch: LOCK; stage; COPY the frozen manifest; rank versions; apply winners; ledger
 *   -> poll; run again after transient errors; cancel when out of time or polls
 * failed / timed-out / aborted executions -> EventBridge -> SNS (CMK)
 * ```
 */
export class StagingUpsert extends Construct {
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The topic notified of failed loads. */
  public readonly notificationTopic: sns.ITopic;
  /** Rule that starts a load when a manifest lands, if enabled. */
  public readonly manifestRule?: events.Rule;
  /** The EventBridge Scheduler schedule that starts scheduled loads, if a schedule is given. */
  public readonly schedule?: scheduler.Schedule;
  /** The role EventBridge Scheduler starts scheduled loads with, if a schedule is given. */
  public readonly schedulerRole?: iam.Role;
  /** Rule that sends failed executions to the topic. */
  public readonly failureRule: events.Rule;
  /** The DDL run before each load (schema, target, ledger; IF NOT EXISTS). */
  public readonly tableStatements: string[];
  /** The load batch, with the run-time placeholders (see StagingUpsertSql). */
  public readonly statements: string[];
  /** The state machine's log group. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: StagingUpsertProps) {
    super(scope, id);
    const sqlOptions = {
      table: props.table,
      orderColumn: props.orderColumn,
      strategy: props.strategy,
      format: props.format,
      compression: props.compression,
      ledgerTable: props.ledgerTable,
      copyRoleArn: props.warehouse.role.roleArn,
    };
    for (const p of StagingUpsertSql.problems(sqlOptions)) Validate.fail(this, p);
    const settings = this.settings(props);
    this.validate(props, settings);
    this.tableStatements = StagingUpsertSql.tableStatements(sqlOptions);
    this.statements = StagingUpsertSql.loadStatements(sqlOptions);
    this.validateSqlSize();

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: props.warehouse.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    this.stateMachine = this.createStateMachine(props, settings);
    this.grantRuntime(props, settings);
    this.manifestRule = this.createManifestRule(props, settings);
    if (props.schedule) {
      this.schedulerRole = this.createSchedulerRole(settings);
      this.schedule = this.createSchedule(props, props.schedule, settings, this.schedulerRole);
    }
    this.notificationTopic = props.notificationTopic ?? this.createTopic(props, settings);
    this.failureRule = this.createFailureRule(settings);
    this.acknowledgeFindings(props, settings);
    CustomerManagedPolicies.apply(this);
  }

  /** Grants the right to start loads by hand (`{"manifestKey": "..."}`). */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  private settings(props: StagingUpsertProps): UpsertSettings {
    const schema = props.table.schemaName ?? 'public';
    return {
      name: `${schema}.${props.table.tableName}`,
      suffix: props.manifestSuffix ?? '.manifest',
      dataPrefix: props.dataPrefix ?? '',
      frozenPrefix: props.frozenManifestPrefix ?? `upsert-frozen-manifests/${schema}/${props.table.tableName}/`,
      pollSeconds: Validate.duration(this, props.pollInterval ?? Duration.seconds(15), { prop: 'pollInterval', in: TimeUnit.SECONDS, ...UpsertLimits.POLL_INTERVAL_SECONDS })!,
      timeoutSeconds: Validate.duration(this, props.timeout ?? Duration.hours(2), {
        prop: 'timeout',
        in: TimeUnit.SECONDS,
        ...UpsertLimits.TIMEOUT_SECONDS,
        hint: 'The Data API honours a ClientToken for 8 hours: a longer execution could submit a retried batch twice.',
      })!,
      maxAttempts: props.maxAttempts ?? 3,
    };
  }

  private validate(props: StagingUpsertProps, s: UpsertSettings): void {
    Validate.pattern(this, 'manifestPrefix', AFFIX, `1-200 of the characters ${KEY_CHARS}`, props.manifestPrefix);
    if (!Token.isUnresolved(props.manifestPrefix)) {
      Validate.that(this, props.manifestPrefix.endsWith('/') && !props.manifestPrefix.startsWith('/'), {
        prop: 'manifestPrefix', value: props.manifestPrefix, allowed: 'a key prefix ending with "/" and not starting with "/"',
      });
    }
    Validate.pattern(this, 'manifestSuffix', AFFIX, `1-200 of the characters ${KEY_CHARS}`, s.suffix);
    for (const [prop, value] of [['dataPrefix', s.dataPrefix], ['frozenManifestPrefix', s.frozenPrefix]]) {
      // these prefixes scope COPY's role through RedshiftWarehouse.grantLoadFrom, which needs them at synth
      Validate.that(this, !Token.isUnresolved(value), { prop, value, allowed: 'a prefix known at synth (it scopes the COPY role\'s S3 permissions)' });
    }
    if (s.dataPrefix !== '') Validate.pattern(this, 'dataPrefix', AFFIX, `0-200 of the characters ${KEY_CHARS}`, s.dataPrefix);
    Validate.pattern(this, 'frozenManifestPrefix', AFFIX, `1-200 of the characters ${KEY_CHARS}`, s.frozenPrefix);
    if (!Token.isUnresolved(s.frozenPrefix) && !Token.isUnresolved(props.manifestPrefix)) {
      Validate.that(this, !s.frozenPrefix.startsWith(props.manifestPrefix) && !props.manifestPrefix.startsWith(s.frozenPrefix), {
        prop: 'frozenManifestPrefix',
        value: s.frozenPrefix,
        allowed: `a prefix apart from manifestPrefix (${props.manifestPrefix}): writing a frozen manifest must not start a load`,
      });
    }
    Validate.number(this, s.maxAttempts, { prop: 'maxAttempts', ...UpsertLimits.MAX_ATTEMPTS });
    this.validateTiming(s);
    this.validateTriggers(props, s);
  }

  /** Poll interval and timeout, each alone and together (history quota, cancel margin). Skipped for tokens. */
  private validateTiming(s: UpsertSettings): void {
    if (Token.isUnresolved(s.pollSeconds) || Token.isUnresolved(s.timeoutSeconds)) return; // the state machine bounds polls at run time
    const minTimeout = 2 * s.pollSeconds + UpsertLimits.CANCEL_MARGIN_SECONDS;
    Validate.that(this, s.timeoutSeconds >= minTimeout, {
      prop: 'timeout',
      value: `${s.timeoutSeconds} seconds`,
      allowed: `at least 2 x pollInterval + ${UpsertLimits.CANCEL_MARGIN_SECONDS} s (${minTimeout} seconds) to cancel a statement that runs out of time`,
    });
    const maxTimeout = UpsertLimits.MAX_POLLS * s.pollSeconds;
    Validate.that(this, s.timeoutSeconds <= maxTimeout, {
      prop: 'timeout',
      value: `${s.timeoutSeconds} seconds`,
      allowed: `at most ${UpsertLimits.MAX_POLLS} x pollInterval (${maxTimeout} seconds with a ${s.pollSeconds} s poll interval)`,
      hint: `Polling every ${s.pollSeconds} s for longer would exceed the ${StepFunctionsLimits.HISTORY_EVENTS} events of an execution history: lengthen pollInterval or shorten timeout.`,
    });
  }

  private validateTriggers(props: StagingUpsertProps, s: UpsertSettings): void {
    Validate.schedule(this, 'schedule', props.schedule, SchedulerLimits.SCHEDULE);
    Validate.that(this, (props.schedule === undefined) === (props.scheduledManifestKey === undefined), {
      prop: 'scheduledManifestKey', value: props.scheduledManifestKey, allowed: 'set exactly when schedule is set',
    });
    Validate.that(this, props.schedule !== undefined || (props.triggerOnManifest ?? true), {
      prop: 'triggerOnManifest', value: false, allowed: 'true, or a schedule (otherwise nothing ever starts a load)',
    });
    const k = props.scheduledManifestKey;
    if (k !== undefined && ![k, props.manifestPrefix, s.suffix].some((v) => Token.isUnresolved(v))) {
      Validate.that(this, k.startsWith(props.manifestPrefix) && k.endsWith(s.suffix) && new RegExp(`^[${KEY_CHARS}]+$`).test(k), {
        prop: 'scheduledManifestKey', value: k, allowed: `a key under ${props.manifestPrefix} ending with ${s.suffix}, made of the characters ${KEY_CHARS}`,
      });
    }
    if ((props.triggerOnManifest ?? true) && props.sourceBucket instanceof s3.Bucket) {
      Validate.that(this, sendsEventBridgeEvents(props.sourceBucket), {
        prop: 'sourceBucket',
        value: props.sourceBucket.node.path,
        allowed: 'a bucket that sends events to EventBridge (eventBridgeEnabled: true; SNS, SQS and Lambda notifications do not start loads) when triggerOnManifest is on',
      });
    }
  }

  /** Data API limits: statements per batch, bytes per statement with run-time values at their longest. */
  private validateSqlSize(): void {
    Validate.count(this, 'statements', 1, RedshiftLimits.DATA_API_BATCH_STATEMENTS, this.statements);
    [...this.tableStatements, ...this.statements].forEach((sql) => {
      const bytes = StagingUpsertSql.maxRenderedBytes(sql);
      Validate.that(this, bytes <= RedshiftLimits.DATA_API_STATEMENT_BYTES, {
        prop: 'table',
        value: `${sql.slice(0, 60)}... (${bytes} bytes)`,
        allowed: `statements of at most ${RedshiftLimits.DATA_API_STATEMENT_BYTES} bytes (the Data API's limit): fewer or shorter columns`,
      });
    });
  }

  private createStateMachine(props: StagingUpsertProps, s: UpsertSettings): sfn.StateMachine {
    const poll = Duration.seconds(s.pollSeconds);
    const loaded = sfn.Succeed.jsonata(this, 'Loaded', {
      outputs: '{% {"manifestKey": $manifestKey, "dataId": $load.dataId, "statementId": $loadStatementId} %}',
    });
    const common = {
      target: props.warehouse.dataApiTarget(props.database),
      pollInterval: poll,
      maxAttempts: s.maxAttempts,
      pollCounter: 'polls',
      deadline: { condition: deadlineCondition(s), error: 'Upsert.StatementTimedOut' },
    };
    const load = new DataApiStatement(this, 'LoadStatement', {
      ...common,
      prefix: 'Load',
      statementName: `upsert-${props.table.tableName}`.slice(0, 500),
      sqls: renderExpression(),
      clientToken: CLIENT_TOKEN,
      next: loaded,
    });
    const tables = new DataApiStatement(this, 'TablesStatement', {
      ...common,
      prefix: 'Tables',
      statementName: `upsert-ddl-${props.table.tableName}`.slice(0, 500),
      sqls: '{% $tableSql %}',
      transientError: DDL_RACE_ERROR,
      next: load.startState,
    });
    const start = manifestStates(this, props, s, {
      constants: { sqlTemplates: this.statements, tableSql: this.tableStatements },
      valueRules: LOAD_VALUE_RULES,
      next: tables.startState,
    });
    return new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(start),
      queryLanguage: sfn.QueryLanguage.JSONATA,
      stateMachineType: sfn.StateMachineType.STANDARD,
      timeout: Duration.seconds(s.timeoutSeconds),
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      comment: `Exactly-once staging-table upsert of s3://<bucket>/${props.manifestPrefix}*${s.suffix} into ${s.name} (notes 4.4)`,
    });
  }

  /** What the tasks need, and nothing else: the S3 reads and write come from the S3 tasks themselves. */
  private grantRuntime(props: StagingUpsertProps, s: UpsertSettings): void {
    const w = props.warehouse;
    const role = this.stateMachine;
    role.addToRolePolicy(new iam.PolicyStatement({ sid: 'RunUpsertBatches', actions: ['redshift-data:BatchExecuteStatement'], resources: [w.dataApiResourceArn] }));
    role.addToRolePolicy(new iam.PolicyStatement({
      sid: 'FollowOwnStatements',
      actions: ['redshift-data:DescribeStatement', 'redshift-data:CancelStatement'],
      resources: ['*'], // no resource type: limited to the role's own statements by the condition
      conditions: { StringEquals: { 'redshift-data:statement-owner-iam-userid': '${aws:userid}' } },
    }));
    role.addToRolePolicy(new iam.PolicyStatement({ sid: 'ReadWarehouseSecret', actions: ['secretsmanager:GetSecretValue'], resources: [w.adminSecretArn] }));
    role.addToRolePolicy(new iam.PolicyStatement({
      sid: 'DecryptWarehouseSecret',
      actions: ['kms:Decrypt'],
      resources: [w.encryptionKey.keyArn],
      conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Stack.of(this).region}.amazonaws.com` } },
    }));
    const key = props.sourceBucket.encryptionKey;
    if (key) {
      role.addToRolePolicy(new iam.PolicyStatement({
        sid: 'SourceBucketKey',
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `s3.${Stack.of(this).region}.amazonaws.com` } },
      }));
    }
    w.grantLoadFrom(props.sourceBucket, s.dataPrefix === '' ? undefined : s.dataPrefix);
    w.grantLoadFrom(props.sourceBucket, s.frozenPrefix);
  }

  private createManifestRule(props: StagingUpsertProps, s: UpsertSettings): events.Rule | undefined {
    if (!(props.triggerOnManifest ?? true)) return undefined;
    return new events.Rule(this, 'OnManifest', {
      description: `Load manifests landing under s3://.../${props.manifestPrefix} into ${s.name}`,
      eventPattern: {
        source: ['aws.s3'],
        detailType: ['Object Created'],
        detail: {
          bucket: { name: [props.sourceBucket.bucketName] },
          object: { key: events.Match.wildcard(`${props.manifestPrefix}*${s.suffix}`) },
        },
      },
      targets: [new targets.SfnStateMachine(this.stateMachine, {
        role: this.startRole(s),
        input: events.RuleTargetInput.fromObject({ manifestKey: events.EventField.fromPath('$.detail.object.key') }),
      })],
    });
  }

  /**
   * The role EventBridge Scheduler assumes to start scheduled loads: for schedules of this
   * account's default schedule group only (aws:SourceAccount, aws:SourceArn).
   * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
   */
  private createSchedulerRole(s: UpsertSettings): iam.Role {
    return new iam.Role(this, 'SchedulerRole', {
      description: `EventBridge Scheduler starts scheduled loads into ${s.name}`,
      assumedBy: SchedulerPrincipal.ofDefaultGroup(this),
    });
  }

  private createSchedule(props: StagingUpsertProps, expression: scheduler.ScheduleExpression, s: UpsertSettings, role: iam.Role): scheduler.Schedule {
    return new scheduler.Schedule(this, 'Schedule', {
      schedule: expression,
      description: `Load ${props.scheduledManifestKey} into ${s.name}`.slice(0, SchedulerLimits.DESCRIPTION_LENGTH.max),
      // no customer-managed key: the input is only the manifest's key name, and aws-cdk-lib grants the
      // schedule's role kms:Decrypt on the whole key (here the warehouse key) with no condition
      target: new schedulerTargets.StepFunctionsStartExecution(this.stateMachine, {
        role,
        input: scheduler.ScheduleTargetInput.fromObject({ manifestKey: props.scheduledManifestKey }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
  }

  /**
   * The role EventBridge starts loads with when a manifest lands, made once. Its trust is
   * limited to EventBridge rules of this account and region (aws:SourceAccount, and aws:SourceArn
   * matching a rule ARN: for rule targets EventBridge sends the rule's ARN). The exact rule ARNs
   * cannot be named: each rule references this role, so the role naming them would be a cycle.
   * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-prevention.html
   */
  private startRole(s: UpsertSettings): iam.IRole {
    const existing = this.node.tryFindChild('StartRole') as iam.Role | undefined;
    if (existing) return existing;
    const stack = Stack.of(this);
    return new iam.Role(this, 'StartRole', {
      description: `EventBridge rules start loads into ${s.name}`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': stack.account },
          ArnLike: { 'aws:SourceArn': stack.formatArn({ service: 'events', resource: 'rule', resourceName: '*' }) },
        },
      }),
    });
  }

  private createTopic(props: StagingUpsertProps, s: UpsertSettings): sns.Topic {
    return new sns.Topic(this, 'Notifications', {
      displayName: `Failed loads into ${s.name}`,
      masterKey: props.warehouse.encryptionKey,
      enforceSSL: true,
    });
  }

  /**
   * EventBridge publishes with a role of its own: sns:Publish on the topic and, for a CMK-encrypted
   * topic, kms:GenerateDataKey* and kms:Decrypt on the topic's key through SNS only (kms:ViaService,
   * AlarmTopic.grantPublish). The role trusts EventBridge for this account only.
   */
  private createFailureRule(s: UpsertSettings): events.Rule {
    const role = new iam.Role(this, 'NotificationRole', {
      description: `EventBridge publishes failed loads into ${s.name} to the notification topic`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', { conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } } }),
    });
    const topic = this.notificationTopic;
    AlarmTopic.grantPublish(topic, role);
    return new events.Rule(this, 'OnFailure', {
      description: `Failed, timed-out or aborted loads into ${s.name}`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [this.stateMachine.stateMachineArn], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
      targets: [{
        // not targets.SnsTopic: its topic.grantPublish gives the role the topic key with no kms:ViaService condition
        bind: () => ({
          arn: topic.topicArn,
          targetResource: topic,
          role,
          input: events.RuleTargetInput.fromText(
            `Load into ${s.name} ${events.EventField.fromPath('$.detail.status')}: ${events.EventField.fromPath('$.detail.error')} `
            + `${events.EventField.fromPath('$.detail.cause')} (execution ${events.EventField.fromPath('$.detail.executionArn')})`),
        }),
      }],
    });
  }

  private acknowledgeFindings(props: StagingUpsertProps, s: UpsertSettings): void {
    NagAcknowledgements.acknowledge(this.stateMachine, 'AwsSolutions-IAM5[Resource::*]',
      'Only actions without resource-level permissions use "*": redshift-data:DescribeStatement and CancelStatement (limited to the role\'s own statements by the statement-owner-iam-userid condition), X-Ray trace segments and CloudWatch Logs delivery management.');
    const reason = 'Manifests, the data files they list and frozen manifests are named at run time: each wildcard is limited to its own prefix (manifests, data files, frozen manifests).';
    // one finding per prefix, named the way cdk-nag names it for created and imported buckets alike; a prefix
    // given as a token (CfnParameter) is reported by its reference (`arn:aws:s3:::corp-lake/<Prefix>*`), which
    // objectsUnder renders the same way
    const findings = new Set<string>();
    for (const prefix of [props.manifestPrefix, s.dataPrefix, s.frozenPrefix]) {
      const finding = NagAcknowledgements.resourceFinding(this.stateMachine, props.sourceBucket.arnForObjects(`${prefix}*`));
      if (findings.has(finding)) continue;
      findings.add(finding);
      NagAcknowledgements.objectsUnder(this.stateMachine, props.sourceBucket, prefix, reason);
    }
    NagAcknowledgements.acknowledge(this.node.findChild('NotificationRole'), 'AwsSolutions-IAM5[Action::kms:GenerateDataKey*]',
      'Publishing to a KMS-encrypted topic needs GenerateDataKey with any key spec; the statement is limited to the topic\'s key, used through SNS (kms:ViaService).');
  }
}

/** Idempotency token of one batch run: the same on every Retry of the call, new for each attempt. */
const CLIENT_TOKEN = "{% ( $h := $hash($states.context.Execution.Id & '#' & $string($loadAttempt), 'SHA-256'); "
  + "$substring($h, 0, 8) & '-' & $substring($h, 8, 4) & '-' & $substring($h, 12, 4) & '-' & $substring($h, 16, 4) & '-' & $substring($h, 20, 12) ) %}";

/** The batch: the templates (plain JSON strings assigned at the start) with the checked run-time values. */
function renderExpression(): string {
  const p = StagingUpsertSql.PLACEHOLDERS;
  const values: Array<[string, string]> = [
    [p.manifestUri, "'s3://' & $bucketName & '/' & $load.frozenKey"],
    [p.manifestKey, '$manifestKey'],
    [p.manifestEtag, '$manifestEtag'],
    [p.manifestVersion, '$manifestVersion'],
    [p.dataId, '$load.dataId'],
    [p.fileCount, '$string($load.fileCount)'],
    [p.dataBytes, '$string($load.dataBytes)'],
  ];
  const body = values.reduce((expr, [placeholder, value]) => `$replace(${expr}, '${placeholder}', ${value})`, '$s');
  return `{% $map($sqlTemplates, function($s) { ${body} }) %}`;
}

/** True once the statement must be cancelled: out of time (cancel margin and one poll kept), or out of polls. */
function deadlineCondition(s: UpsertSettings): string {
  const timeout = Tokenization.stringifyNumber(s.timeoutSeconds);
  const poll = Tokenization.stringifyNumber(s.pollSeconds);
  return '{% ($toMillis($states.context.State.EnteredTime) - $toMillis($states.context.Execution.StartTime)) >= '
    + `(${timeout} - ${poll} - ${UpsertLimits.CANCEL_MARGIN_SECONDS}) * 1000 or $polls >= ${UpsertLimits.MAX_POLLS} %}`;
}

/**
 * Whether a bucket defined in this app sends its events to EventBridge: the L1 property (set by
 * SecureBucket's and DataLakeStorage's `eventBridgeEnabled`), or the `EventBridgeConfiguration` of the
 * notifications custom resource aws-cdk-lib's Bucket creates for `eventBridgeEnabled: true` or
 * `enableEventBridgeNotification()`. That resource also carries SNS, SQS and Lambda notifications, so
 * its presence proves nothing: its rendered NotificationConfiguration is read. A CfnResource has no
 * public getter for its properties; `_toCloudFormation()` is what aws-cdk-lib's own synthesis renders
 * the resource with (overrides included). Should it ever disappear, the check fails closed.
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/EventBridge.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket-notificationconfiguration.html
 */
function sendsEventBridgeEvents(bucket: s3.Bucket): boolean {
  const stack = Stack.of(bucket);
  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  if (stack.resolve(cfn.notificationConfiguration)?.eventBridgeConfiguration?.eventBridgeEnabled === true) return true;
  const resource = bucket.node.tryFindChild('Notifications')?.node.tryFindChild('Resource');
  if (!resource || !CfnResource.isCfnResource(resource) || resource.cfnResourceType !== 'Custom::S3BucketNotifications') return false;
  const render = (resource as any)._toCloudFormation;
  if (typeof render !== 'function') return false;
  const rendered = stack.resolve(render.call(resource)) as { Resources?: Record<string, { Properties?: any }> };
  return Object.values(rendered.Resources ?? {})
    .some((r) => r.Properties?.NotificationConfiguration?.EventBridgeConfiguration !== undefined);
}
