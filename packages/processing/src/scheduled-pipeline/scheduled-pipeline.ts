import { CustomerManagedPolicies, NagAcknowledgements, Sandbox, SchedulerLimits, SchedulerPrincipal } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Duration, Token } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { CatchableState, RenderedWork } from './pipeline-activity';
import { validatePipelineProps } from './pipeline-validation';
import { PipelineActivity, PipelineSchedule, ScheduledPipelineProps } from './scheduled-pipeline-props';
import { grantNotices, notifyThenFail } from '../common/failure-notice';

/** What the activities of one schedule need from the state machine's role. */
interface RoleNeeds {
  readonly statements: iam.PolicyStatement[];
  /** Wildcard resources with the reason each is needed (cdk-nag IAM5). */
  readonly wildcards: Map<string, string>;
}

/**
 * Named activities with dependencies, preconditions, retries and failure
 * notifications, run on schedules (notes 3.4): the modern replacement of AWS Data
 * Pipeline, which is closed to new customers (AWS recommends Step Functions, MWAA
 * or Glue workflows instead). No EC2 task runners: each schedule is an EventBridge
 * Scheduler schedule that starts a Step Functions state machine; activities use
 * native integrations (SSM Run Command, nested state machines such as a
 * TransientEmrCluster job, Glue).
 *
 * Data Pipeline concept -> here:
 * - pipeline definition -> `activities` + `schedules` (one state machine per schedule)
 * - activity -> `PipelineActivity.work` (`ActivityWork` factories)
 * - "tasks can wait for previous tasks" -> `dependsOn` (independent activities of
 *   the same level run in parallel)
 * - precondition -> `Precondition` (e.g. `s3PrefixExists`)
 * - retries -> `retry` (Step Functions Retry with backoff)
 * - failure notification (SNS on failure) -> `notificationTopic` (published with the topic's key)
 * - task runner re-assignment -> not needed: the services run the work
 *
 * A schedule runs its activities and, transitively, the activities they depend on.
 * Schedules are checked with EventBridge Scheduler's rules (cron fields, rate of at least a
 * minute, one-time `at(...)`, IANA time zones); each starts its state machine through its own
 * role that only `scheduler.amazonaws.com` may assume, for this account's default schedule
 * group (`aws:SourceAccount`, `aws:SourceArn`).
 */
export class ScheduledPipeline extends Construct {
  /** Activities to run for `names`, with their dependencies, in dependency levels. */
  private static levels(names: string[], byName: Map<string, PipelineActivity>): PipelineActivity[][] {
    const depth = new Map<string, number>();
    const visit = (name: string): number => {
      if (depth.has(name)) return depth.get(name)!;
      const a = byName.get(name)!;
      const d = 1 + Math.max(0, ...(a.dependsOn ?? []).map(visit));
      depth.set(name, d);
      return d;
    };
    names.forEach(visit);
    const levels: PipelineActivity[][] = [];
    for (const [name, d] of depth) {
      (levels[d - 1] ??= []).push(byName.get(name)!);
    }
    return levels;
  }

  /** State machine of each schedule, by schedule name. */
  public readonly stateMachines: Record<string, sfn.StateMachine> = {};
  /** EventBridge Scheduler schedule of each schedule, by schedule name. */
  public readonly schedules: Record<string, scheduler.Schedule> = {};
  /** The key of the schedules and log groups. */
  public readonly encryptionKey: kms.IKey;
  /** The role EventBridge Scheduler assumes for each schedule (it starts that schedule's state machine only), by schedule name. */
  public readonly schedulerRoles: Record<string, iam.Role> = {};

  private readonly byName: Map<string, PipelineActivity>;
  private readonly props: ScheduledPipelineProps;

  constructor(scope: Construct, id: string, props: ScheduledPipelineProps) {
    super(scope, id);
    this.byName = validatePipelineProps(this, props);
    this.props = props;
    CustomerManagedPolicies.apply(this);
    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Pipeline key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(this.encryptionKey);
    for (const schedule of props.schedules) {
      const scheduleScope = new Construct(this, schedule.name);
      const stateMachine = this.createStateMachine(scheduleScope, schedule);
      this.stateMachines[schedule.name] = stateMachine;
      this.schedulerRoles[schedule.name] = this.createSchedulerRole(scheduleScope, schedule);
      this.schedules[schedule.name] = this.createSchedule(scheduleScope, schedule, stateMachine);
    }
  }

  /** Grants `grantee` the right to start the state machine of every schedule (e.g. to run a pipeline by hand). */
  public grantStartExecution(grantee: iam.IGrantable): iam.Grant {
    return iam.Grant.addToPrincipal({
      grantee,
      actions: ['states:StartExecution'],
      resourceArns: Object.values(this.stateMachines).map((sm) => sm.stateMachineArn),
    });
  }

  private createSchedulerRole(scope: Construct, schedule: PipelineSchedule): iam.Role {
    return new iam.Role(scope, 'SchedulerRole', {
      description: `EventBridge Scheduler role of ${this.node.path}, schedule ${schedule.name}: starts its state machine`,
      assumedBy: SchedulerPrincipal.ofDefaultGroup(this),
    });
  }

  private createStateMachine(scope: Construct, schedule: PipelineSchedule): sfn.StateMachine {
    const needs: RoleNeeds = { statements: [], wildcards: new Map() };
    let chain: sfn.Chain | undefined;
    ScheduledPipeline.levels(schedule.activities, this.byName).forEach((level, i) => {
      let step: sfn.IChainable;
      if (level.length === 1) {
        step = this.renderActivity(scope, level[0], needs);
      } else {
        const parallel = new sfn.Parallel(scope, `Level ${i + 1}`, {
          stateName: `Level ${i + 1}: ${level.map((a) => a.name).join(' + ')}`.slice(0, 80),
          resultPath: sfn.JsonPath.DISCARD,
        });
        for (const a of level) parallel.branch(this.renderActivity(scope, a, needs));
        step = parallel;
      }
      chain = chain ? chain.next(step) : sfn.Chain.start(step);
    });
    const logGroup = new logs.LogGroup(scope, 'Logs', {
      encryptionKey: this.encryptionKey,
      retention: this.props.logRetention ?? logs.RetentionDays.ONE_YEAR,
      removalPolicy: Sandbox.removalPolicy(this),
    });
    const sm = new sfn.StateMachine(scope, 'StateMachine', {
      definitionBody: sfn.DefinitionBody.fromChainable(chain!.next(new sfn.Succeed(scope, 'Pipeline succeeded'))),
      tracingEnabled: true,
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
      comment: `Pipeline ${this.node.path}, schedule ${schedule.name}`,
    });
    this.grantActivities(sm, needs);
    return sm;
  }

  private grantActivities(sm: sfn.StateMachine, needs: RoleNeeds): void {
    needs.statements.forEach((s) => sm.addToRolePolicy(s));
    grantNotices(this.props.notificationTopic, sm.role);
    needs.wildcards.set('*', 'Step Functions X-Ray tracing and CloudWatch Logs delivery actions only support Resource "*".');
    for (const [resource, reason] of needs.wildcards) {
      const finding = resource === '*' ? 'Resource::*' : NagAcknowledgements.resourceFinding(this, resource);
      NagAcknowledgements.acknowledge(sm.role, `AwsSolutions-IAM5[${finding}]`, reason);
    }
  }

  private createSchedule(scope: Construct, schedule: PipelineSchedule, sm: sfn.StateMachine): scheduler.Schedule {
    const maxDescription = SchedulerLimits.DESCRIPTION_LENGTH.max;
    return new scheduler.Schedule(scope, 'Schedule', {
      schedule: schedule.expression,
      description: schedule.description ?? `${this.node.path}: ${schedule.activities.join(', ')}`.slice(0, maxDescription),
      enabled: schedule.enabled ?? true,
      key: this.encryptionKey,
      target: new targets.StepFunctionsStartExecution(sm, {
        role: this.schedulerRoles[schedule.name],
        input: scheduler.ScheduleTargetInput.fromObject({ pipeline: this.node.path, schedule: schedule.name }),
        retryAttempts: 3,
        maxEventAge: Duration.hours(1),
      }),
    });
  }

  private renderActivity(scope: Construct, a: PipelineActivity, needs: RoleNeeds): sfn.IChainable {
    const fail = new sfn.Fail(scope, `${a.name} failed`, { error: 'ActivityFailed', cause: `Activity ${a.name} (${a.work.description}) failed` });
    const onError = notifyThenFail(scope, `Notify ${a.name} failed`, fail, {
      topic: this.props.notificationTopic,
      subject: `Pipeline activity ${a.name} failed`,
      message: { pipeline: this.node.path, activity: a.name, execution: sfn.JsonPath.executionId, error: sfn.JsonPath.objectAt('$.error') },
    });
    // only rendered by work that can fail without an error (e.g. a command that ends in status Failed)
    const workFailed = () => new sfn.Pass(scope, `${a.name} work failed`, {
      parameters: { 'Error': 'WorkFailed', 'Cause.$': 'States.JsonToString($)' },
      resultPath: '$.error',
    }).next(onError);
    const work = a.work._render(scope, a.name, workFailed);
    this.addRetries(a, work.retried, work.caught, onError);
    needs.statements.push(...work.statements);
    for (const w of work.wildcards) needs.wildcards.set(w.resource, w.reason);
    return this.withPreconditions(scope, a, work.chain, onError);
  }

  /** Retry (unless a resolved 0: a token count keeps its Retry block) and catch the work's errors. */
  private addRetries(a: PipelineActivity, retried: CatchableState[], caught: CatchableState[], onError: sfn.IChainable): void {
    const retry = a.retry ?? {};
    const maxAttempts = retry.maxAttempts ?? 2;
    for (const s of retried) {
      if (Token.isUnresolved(maxAttempts) || maxAttempts > 0) {
        s.addRetry({ errors: [sfn.Errors.ALL], maxAttempts, interval: retry.interval ?? Duration.minutes(1), backoffRate: retry.backoffRate ?? 2 });
      }
      s.addCatch(onError, { resultPath: '$.error' });
    }
    for (const s of caught) s.addCatch(onError, { resultPath: '$.error' });
  }

  private withPreconditions(scope: Construct, a: PipelineActivity, chain: RenderedWork['chain'], onError: sfn.IChainable): sfn.IChainable {
    const preconditions = a.preconditions ?? [];
    if (preconditions.length === 0) return chain;
    const unmet = new sfn.Pass(scope, `${a.name} precondition not met`, {
      result: sfn.Result.fromObject({ Error: 'PreconditionNotMet', Cause: preconditions.map((p) => p.description).join('; ') }),
      resultPath: '$.error',
    }).next(onError);
    let start: sfn.State = chain.startState;
    for (let i = preconditions.length - 1; i >= 0; i--) {
      start = preconditions[i]._render(scope, `${a.name} precondition ${i + 1}`, start, unmet);
    }
    return sfn.Chain.custom(start, chain.endStates, chain);
  }
}
