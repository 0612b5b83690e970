import { ISandboxBeforeDeleteWildcard } from '@analytics-patterns/core';
import { ArnFormat, Duration, Names, Stack } from 'aws-cdk-lib';
import * as dms from 'aws-cdk-lib/aws-dms';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/**
 * Step Functions names the errors of an AWS SDK integration `<service prefix>.<error>Exception`;
 * the prefix of AWS DMS (`aws-sdk:databasemigration`) is `DatabaseMigration`.
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/supported-services-awssdk.html
 */
const DMS_ERROR = 'DatabaseMigration';
/**
 * StopReplication on a replication that is not running (already stopped, never started, failed)
 * returns `InvalidResourceStateFault`; one that was never provisioned, `ResourceNotFoundFault`.
 * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_StopReplication.html
 */
const NOT_RUNNING = [`${DMS_ERROR}.InvalidResourceStateFaultException`, `${DMS_ERROR}.ResourceNotFoundFaultException`];
/**
 * Replication statuses after which the configuration can be deleted (DescribeReplications
 * `Status`), and `none` when DescribeReplications lists no replication for the configuration.
 */
const STOPPED_STATUSES = ['stopped', 'failed', 'created', 'none'];
/** How often the state machine looks at a replication that is stopping, and how many times. */
const POLL = Duration.seconds(30);
const MAX_POLLS = 40;

/**
 * Before each `DeleteStack` of the sandbox time-to-live: stops the DMS Serverless replication of
 * `config` (ignoring "not running") and waits until DescribeReplications reports it stopped, so
 * that CloudFormation can delete the replication configuration. After 40 looks 30 s apart
 * (20 minutes) it fails the execution with `Sandbox.ReplicationNotStopped`.
 *
 * The delete state machine must not reference the configuration (`Fn::GetAtt`): every resource of
 * the stack depends on that state machine, so the reference would be a cycle. This gives the
 * configuration a `ResourceIdentifier`, which makes its ARN known at synth time
 * (`arn:<partition>:dms:<region>:<account>:replication-config:<identifier>`), and uses that.
 * Setting it on an existing configuration replaces the configuration (a new full load).
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dms-replicationconfig.html
 * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_DescribeReplications.html (filter `replication-config-arn`)
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsdatabasemigrationservice.html
 *   (StopReplication: resource type ReplicationConfig; DescribeReplications: none, so `*`)
 */
export class StopReplicationBeforeDelete implements ISandboxBeforeDeleteWildcard {
  /** The replication configuration's ARN, as the state machine and its policy name it. */
  public readonly replicationConfigArn: string;
  /** None beyond the tasks' own: StopReplication on this configuration only, DescribeReplications on "*". */
  public readonly statements: iam.PolicyStatement[] = [];
  public readonly wildcardReason = 'dms:DescribeReplications (the sandbox delete state machine waits for the DMS Serverless replication to stop) '
    + 'supports no resource-level permission; the call filters on this stack\'s replication configuration ARN.';

  constructor(config: dms.CfnReplicationConfig) {
    config.resourceIdentifier = resourceIdentifier(config);
    this.replicationConfigArn = Stack.of(config).formatArn({
      service: 'dms', resource: 'replication-config', resourceName: config.resourceIdentifier, arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
  }

  public bind(scope: Construct): sfn.IChainable {
    const arn = this.replicationConfigArn;
    const stop = tasks.CallAwsService.jsonata(scope, 'StopReplication', {
      service: 'databasemigration',
      action: 'stopReplication',
      parameters: { ReplicationConfigArn: arn },
      iamResources: [arn],
      iamAction: 'dms:StopReplication',
      assign: { replicationPolls: 0 },
    });
    const describe = tasks.CallAwsService.jsonata(scope, 'DescribeReplication', {
      service: 'databasemigration',
      action: 'describeReplications',
      parameters: { Filters: [{ Name: 'replication-config-arn', Values: [arn] }] },
      // DescribeReplications supports no resource-level permission (Service Authorization Reference)
      iamResources: ['*'],
      iamAction: 'dms:DescribeReplications',
      // a JSONata expression must not evaluate to nothing in Step Functions: 'none' when no replication is listed
      assign: {
        replicationStatus: "{% $exists($states.result.Replications[0].Status) ? $lowercase($states.result.Replications[0].Status) : 'none' %}",
        replicationPolls: '{% $replicationPolls + 1 %}',
      },
    });
    const stopped = sfn.Pass.jsonata(scope, 'ReplicationStopped');
    stop.addCatch(describe, { errors: NOT_RUNNING, assign: { replicationPolls: 0 } });
    describe.addCatch(stopped, { errors: [`${DMS_ERROR}.ResourceNotFoundFaultException`] });
    const wait = sfn.Wait.jsonata(scope, 'WaitForReplicationStop', { time: sfn.WaitTime.duration(POLL) });
    const check = sfn.Choice.jsonata(scope, 'CheckReplication')
      .when(sfn.Condition.jsonata(`{% $replicationStatus in [${STOPPED_STATUSES.map((s) => `'${s}'`).join(', ')}] %}`), stopped)
      .when(sfn.Condition.jsonata(`{% $replicationPolls >= ${MAX_POLLS} %}`), sfn.Fail.jsonata(scope, 'ReplicationNotStopped', {
        error: 'Sandbox.ReplicationNotStopped',
        cause: `{% 'The DMS Serverless replication is still ' & $replicationStatus & ' after ${MAX_POLLS} looks ${POLL.toSeconds()} s apart: stop it (aws dms stop-replication) and delete the stack by hand.' %}`,
      }))
      .otherwise(wait.next(describe));
    stop.next(describe).next(check);
    return sfn.Chain.custom(stop, [stopped], stopped);
  }
}

/**
 * A DMS resource identifier: up to 31 ASCII letters, digits and hyphens, starting with a letter,
 * no two hyphens in a row and none at the end; unique in the account and Region (the stack name
 * and a hash of the path are in it).
 * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateEndpoint.html (ResourceIdentifier)
 */
function resourceIdentifier(config: dms.CfnReplicationConfig): string {
  return Names.uniqueResourceName(config, { maxLength: 31, separator: '-' }).toLowerCase().replace(/[^a-z0-9-]/g, '')
    .replace(/-+/g, '-').replace(/^[^a-z]+/, '').replace(/-$/, '');
}
