import { Duration, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { NagAcknowledgements, Sandbox, Validate } from '@analytics-patterns/core';
import { Construct } from 'constructs';
import { dataApiStates } from '../redshift-data/data-api-states';
import { StagingUpsertProps } from './staging-upsert-props';
import { StagingUpsertSql } from './upsert-sql';

/** Characters accepted in manifest keys: S3's "safe characters" without the quote, plus "/". */
const KEY_CHARS = 'A-Za-z0-9!_.()=/-';
/** The same class with "/" escaped, for a JSONata regular expression literal. */
const KEY_CLASS_JSONATA = 'A-Za-z0-9!_.()=\\/-';
const AFFIX = `^[${KEY_CHARS}]{1,200}$`;

/**
 * A recurring, exactly-once load of S3 files into a Redshift table through a temporary
 * staging table (notes 4.4), run by a Step Functions state machine with the native
 * Redshift Data API integration (no Lambda):
 *
 * ```
 * manifest lands (EventBridge) / schedule
 *   -> check the key against an allow-list -> HeadObject (ETag)
 *   -> BatchExecuteStatement (one transaction): stage, COPY, dedupe, skip-if-in-ledger,
 *      DELETE+INSERT or MERGE, ledger row, drop staging
 *   -> Wait / DescribeStatement / Choice until FINISHED
 *   -> FAILED: run again after transient errors, else fail with Redshift's error
 * failed / timed-out / aborted executions -> EventBridge -> SNS
 * ```
 */
export class StagingUpsert extends Construct {
  /** The state machine. */
  public readonly stateMachine: sfn.StateMachine;
  /** The topic notified of failed loads. */
  public readonly notificationTopic: sns.ITopic;
  /** Rule that starts a load when a manifest lands, if enabled. */
  public readonly manifestRule?: events.Rule;
  /** Rule that starts scheduled loads, if a schedule is given. */
  public readonly scheduleRule?: events.Rule;
  /** Rule that sends failed executions to the topic. */
  public readonly failureRule: events.Rule;
  /** The batch's SQL, with the manifest placeholders (see StagingUpsertSql). */
  public readonly statements: string[];
  /** The state machine's log group. */
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: StagingUpsertProps) {
    super(scope, id);
    const warehouse = props.warehouse;
    const suffix = props.manifestSuffix ?? '.manifest';
    const pollSeconds = (props.pollInterval ?? Duration.seconds(15)).toSeconds();
    const maxAttempts = props.maxAttempts ?? 3;
    const timeout = props.timeout ?? Duration.hours(2);
    this.validate(props, suffix, pollSeconds, maxAttempts, timeout);

    const sqlOptions = {
      table: props.table,
      orderColumn: props.orderColumn,
      strategy: props.strategy,
      format: props.format,
      compression: props.compression,
      ledgerTable: props.ledgerTable,
      copyRoleArn: warehouse.role.roleArn,
    };
    for (const p of StagingUpsertSql.problems(sqlOptions)) Validate.fail(this, p);
    this.statements = StagingUpsertSql.statements(sqlOptions);
    Validate.count(this, 'statements', 1, 40, this.statements); // Data API batch limit

    // ---- state machine ----
    const keyPattern = `/^${regex(props.manifestPrefix)}[${KEY_CLASS_JSONATA}]{0,900}${regex(suffix)}$/`;
    const name = `${props.table.schemaName ?? 'public'}.${props.table.tableName}`;
    const definition = {
      Comment: `Exactly-once staging-table upsert of s3://<bucket>/${props.manifestPrefix}*${suffix} into ${name} (notes 4.4)`,
      QueryLanguage: 'JSONata',
      TimeoutSeconds: timeout.toSeconds(),
      StartAt: 'CheckManifestKey',
      States: {
        CheckManifestKey: {
          Type: 'Choice',
          Comment: 'Allow-list: only these characters can reach the SQL text (no quote, backslash, "$" or space)',
          Choices: [{
            Condition: `{% $type($states.input.manifestKey) = 'string' and $contains($states.input.manifestKey, ${keyPattern}) %}`,
            Next: 'ReadManifest',
          }],
          Default: 'RejectManifestKey',
        },
        RejectManifestKey: {
          Type: 'Fail',
          Error: 'Upsert.InvalidManifestKey',
          Cause: `manifestKey must be a string under ${props.manifestPrefix}, ending with ${suffix}, made of the characters ${KEY_CHARS}`,
        },
        ReadManifest: {
          Type: 'Task',
          Comment: 'The ETag identifies this version of the manifest in the ledger',
          Resource: 'arn:aws:states:::aws-sdk:s3:headObject',
          Arguments: { Bucket: props.sourceBucket.bucketName, Key: '{% $states.input.manifestKey %}' },
          Assign: {
            manifestKey: '{% $states.input.manifestKey %}',
            manifestEtag: '{% $replace($states.result.ETag, \'"\', \'\') %}',
          },
          Retry: [{ ErrorEquals: ['S3.SdkClientException', 'S3.InternalErrorException'], IntervalSeconds: 2, MaxAttempts: 3, BackoffRate: 2 }],
          Next: 'CheckManifestEtag',
        },
        CheckManifestEtag: {
          Type: 'Choice',
          Choices: [{ Condition: '{% $contains($manifestEtag, /^[0-9a-f-]{1,64}$/) %}', Next: 'LoadStart' }],
          Default: 'RejectManifestKey',
        },
        ...dataApiStates({
          prefix: 'Load',
          target: warehouse.dataApiTarget(props.database),
          sqlsExpression: '{% $map($sqlTemplates, function($s) { '
            + `$replace($replace($replace($s, '${StagingUpsertSql.MANIFEST_URI}', 's3://' & $bucketName & '/' & $manifestKey), `
            + `'${StagingUpsertSql.MANIFEST_KEY}', $manifestKey), '${StagingUpsertSql.MANIFEST_ETAG}', $manifestEtag) }) %}`,
          statementName: `upsert-${props.table.tableName}`.slice(0, 500),
          pollSeconds,
          maxAttempts,
          next: 'Loaded',
        }),
        Loaded: {
          Type: 'Succeed',
          Output: '{% {"manifestKey": $manifestKey, "manifestEtag": $manifestEtag, "statementId": $loadStatementId} %}',
        },
      },
    };
    // the templates and bucket name are plain JSON values assigned before the batch: no SQL text inside expressions
    (definition.States as any).LoadStart.Assign = { loadAttempt: 1, sqlTemplates: this.statements, bucketName: props.sourceBucket.bucketName };

    this.logGroup = new logs.LogGroup(this, 'Logs', {
      encryptionKey: warehouse.encryptionKey,
      retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromString(Stack.of(this).toJsonString(definition)),
      stateMachineType: sfn.StateMachineType.STANDARD,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      tracingEnabled: true,
      comment: `Staging-table upsert into ${name}`,
    });
    warehouse.grantDataApi(this.stateMachine);
    warehouse.grantLoadFrom(props.sourceBucket);
    this.stateMachine.addToRolePolicy(new iam.PolicyStatement({
      sid: 'ReadManifestEtag',
      actions: ['s3:GetObject'],
      resources: [props.sourceBucket.arnForObjects(`${props.manifestPrefix}*`)],
    }));
    NagAcknowledgements.acknowledge(this.stateMachine, 'AwsSolutions-IAM5[Resource::*]',
      'Only actions without resource-level permissions use "*": redshift-data:DescribeStatement (limited to the role\'s own statements by the statement-owner-iam-userid condition), X-Ray trace segments and CloudWatch Logs delivery management.');
    const bucketRes = props.sourceBucket.node.defaultChild as s3.CfnBucket | undefined;
    NagAcknowledgements.acknowledge(this.stateMachine,
      bucketRes ? `AwsSolutions-IAM5[Resource::<${Stack.of(bucketRes).getLogicalId(bucketRes)}.Arn>/${props.manifestPrefix}*]` : 'AwsSolutions-IAM5',
      'HeadObject reads the ETag of whichever manifest arrives; the wildcard is limited to the manifest prefix.');

    // ---- triggers ----
    if (props.triggerOnManifest ?? true) {
      this.manifestRule = new events.Rule(this, 'OnManifest', {
        description: `Load manifests landing under s3://.../${props.manifestPrefix} into ${name}`,
        eventPattern: {
          source: ['aws.s3'],
          detailType: ['Object Created'],
          detail: {
            bucket: { name: [props.sourceBucket.bucketName] },
            object: { key: events.Match.wildcard(`${props.manifestPrefix}*${suffix}`) },
          },
        },
        targets: [new targets.SfnStateMachine(this.stateMachine, {
          input: events.RuleTargetInput.fromObject({ manifestKey: events.EventField.fromPath('$.detail.object.key') }),
        })],
      });
    }
    if (props.schedule) {
      this.scheduleRule = new events.Rule(this, 'OnSchedule', {
        description: `Load ${props.scheduledManifestKey} into ${name} on a schedule`,
        schedule: props.schedule,
        targets: [new targets.SfnStateMachine(this.stateMachine, {
          input: events.RuleTargetInput.fromObject({ manifestKey: props.scheduledManifestKey }),
        })],
      });
    }

    // ---- failure notifications ----
    if (props.notificationTopic) {
      this.notificationTopic = props.notificationTopic;
    } else {
      this.notificationTopic = new sns.Topic(this, 'Notifications', {
        displayName: `Failed loads into ${name}`,
        masterKey: warehouse.encryptionKey,
        enforceSSL: true,
      });
    }
    const topicKey = props.notificationTopic ? undefined : warehouse.encryptionKey;
    if (topicKey instanceof kms.Key) {
      topicKey.addToResourcePolicy(new iam.PolicyStatement({
        sid: 'AllowEventBridgeToPublishEncrypted',
        principals: [new iam.ServicePrincipal('events.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
      }));
    }
    this.failureRule = new events.Rule(this, 'OnFailure', {
      description: `Failed, timed-out or aborted loads into ${name}`,
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: { stateMachineArn: [this.stateMachine.stateMachineArn], status: ['FAILED', 'TIMED_OUT', 'ABORTED'] },
      },
      targets: [new targets.SnsTopic(this.notificationTopic, {
        message: events.RuleTargetInput.fromText(
          `Load into ${name} ${events.EventField.fromPath('$.detail.status')}: ${events.EventField.fromPath('$.detail.error')} `
          + `${events.EventField.fromPath('$.detail.cause')} (execution ${events.EventField.fromPath('$.detail.executionArn')})`),
      })],
    });
  }

  /** Grants the right to start loads by hand (`{"manifestKey": "..."}`). */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return this.stateMachine.grantStartExecution(grantee);
  }

  private validate(props: StagingUpsertProps, suffix: string, pollSeconds: number, maxAttempts: number, timeout: Duration): void {
    Validate.pattern(this, 'manifestPrefix', AFFIX, `1-200 of the characters ${KEY_CHARS}`, props.manifestPrefix);
    Validate.that(this, props.manifestPrefix.endsWith('/') && !props.manifestPrefix.startsWith('/'), {
      prop: 'manifestPrefix', value: props.manifestPrefix, allowed: 'a key prefix ending with "/" and not starting with "/"',
    });
    Validate.pattern(this, 'manifestSuffix', AFFIX, `1-200 of the characters ${KEY_CHARS}`, suffix);
    Validate.integer(this, 'pollInterval', 1, 300, pollSeconds, 'seconds');
    Validate.integer(this, 'maxAttempts', 1, 10, maxAttempts);
    Validate.integer(this, 'timeout', 60, 86400, timeout.toSeconds(), 'seconds');
    Validate.that(this, (props.schedule === undefined) === (props.scheduledManifestKey === undefined), {
      prop: 'scheduledManifestKey', value: props.scheduledManifestKey, allowed: 'set exactly when schedule is set',
    });
    Validate.that(this, props.schedule !== undefined || (props.triggerOnManifest ?? true), {
      prop: 'triggerOnManifest', value: false, allowed: 'true, or a schedule (otherwise nothing ever starts a load)',
    });
    if (props.scheduledManifestKey !== undefined) {
      const k = props.scheduledManifestKey;
      Validate.that(this, k.startsWith(props.manifestPrefix) && k.endsWith(suffix) && new RegExp(`^[${KEY_CHARS}]+$`).test(k), {
        prop: 'scheduledManifestKey', value: k, allowed: `a key under ${props.manifestPrefix} ending with ${suffix}, made of the characters ${KEY_CHARS}`,
      });
    }
    if ((props.triggerOnManifest ?? true) && props.sourceBucket instanceof s3.Bucket) {
      Validate.that(this, sendsEventBridgeEvents(props.sourceBucket), {
        prop: 'sourceBucket', value: props.sourceBucket.node.path,
        allowed: 'a bucket that sends events to EventBridge (eventBridgeEnabled: true) when triggerOnManifest is on',
      });
    }
  }
}

/** Escapes a validated key prefix/suffix for a JSONata regular expression. */
function regex(s: string): string {
  return s.replace(/[.()/]/g, (c) => `\\${c}`);
}

/** Whether a bucket defined in this app sends events to EventBridge (L2 prop, L1 property or override). */
function sendsEventBridgeEvents(bucket: s3.Bucket): boolean {
  if ((bucket as any).eventBridgeEnabled === true) return true;
  const cfn = bucket.node.defaultChild as s3.CfnBucket;
  const fromProps = Stack.of(bucket).resolve(cfn.notificationConfiguration)?.eventBridgeConfiguration?.eventBridgeEnabled;
  const fromOverride = (cfn as any).rawOverrides?.Properties?.NotificationConfiguration?.EventBridgeConfiguration?.EventBridgeEnabled;
  return fromProps === true || fromOverride === true;
}
