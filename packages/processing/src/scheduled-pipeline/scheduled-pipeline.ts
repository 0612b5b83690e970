import { NagAcknowledgements, Sandbox, Validate } from '@analytics-patterns/core';
import { DataKey } from '@analytics-patterns/security';
import { Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as targets from 'aws-cdk-lib/aws-scheduler-targets';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import { PipelineActivity, ScheduledPipelineProps } from './scheduled-pipeline-props';
import { nagResource } from '../transient-emr-cluster/nag-finding';

const ACTIVITY_NAME = '^[A-Za-z0-9 _-]{1,40}$';
const SCHEDULE_NAME = '^[0-9a-zA-Z._-]{1,64}$';

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
 * - failure notification (SNS on failure) -> `notificationTopic`
 * - task runner re-assignment -> not needed: the services run the work
 *
 * A schedule runs its activities and, transitively, the activities they depend on.
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

  constructor(scope: Construct, id: string, props: ScheduledPipelineProps) {
    super(scope, id);
    const byName = this.validate(props);
    this.encryptionKey = props.encryptionKey ?? new DataKey(this, 'Key', { description: `Pipeline key of ${this.node.path}` }).key;
    DataKey.allowCloudWatchLogs(this.encryptionKey);

    for (const schedule of props.schedules) {
      const scheduleScope = new Construct(this, schedule.name);
      const levels = ScheduledPipeline.levels(schedule.activities, byName);
      const statements: iam.PolicyStatement[] = [];
      const wildcards = new Map<string, string>();

      let chain: sfn.Chain | undefined;
      levels.forEach((level, i) => {
        let step: sfn.IChainable;
        if (level.length === 1) {
          step = this.renderActivity(scheduleScope, level[0], props, statements, wildcards);
        } else {
          const parallel = new sfn.Parallel(scheduleScope, `Level ${i + 1}`, {
            stateName: `Level ${i + 1}: ${level.map((a) => a.name).join(' + ')}`.slice(0, 80),
            resultPath: sfn.JsonPath.DISCARD,
          });
          for (const a of level) parallel.branch(this.renderActivity(scheduleScope, a, props, statements, wildcards));
          step = parallel;
        }
        chain = chain ? chain.next(step) : sfn.Chain.start(step);
      });
      chain = chain!.next(new sfn.Succeed(scheduleScope, 'Pipeline succeeded'));

      const logGroup = new logs.LogGroup(scheduleScope, 'Logs', {
        encryptionKey: this.encryptionKey,
        retention: props.logRetention ?? logs.RetentionDays.ONE_YEAR,
        removalPolicy: Sandbox.removalPolicy(this),
      });
      const sm = new sfn.StateMachine(scheduleScope, 'StateMachine', {
        definitionBody: sfn.DefinitionBody.fromChainable(chain),
        tracingEnabled: true,
        logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: true },
        comment: `Pipeline ${this.node.path}, schedule ${schedule.name}`,
      });
      statements.forEach((s) => sm.addToRolePolicy(s));
      wildcards.set('*', 'Step Functions X-Ray tracing and CloudWatch Logs delivery actions only support Resource "*".');
      for (const [resource, reason] of wildcards) {
        NagAcknowledgements.acknowledge(sm.role, `AwsSolutions-IAM5[Resource::${resource === '*' ? '*' : nagResource(this, resource)}]`, reason);
      }
      this.stateMachines[schedule.name] = sm;

      this.schedules[schedule.name] = new scheduler.Schedule(scheduleScope, 'Schedule', {
        schedule: schedule.expression,
        description: schedule.description ?? `${this.node.path}: ${schedule.activities.join(', ')}`,
        enabled: schedule.enabled ?? true,
        key: this.encryptionKey,
        target: new targets.StepFunctionsStartExecution(sm, {
          input: scheduler.ScheduleTargetInput.fromObject({ pipeline: this.node.path, schedule: schedule.name }),
          retryAttempts: 3,
          maxEventAge: Duration.hours(1),
        }),
      });
    }
  }

  private renderActivity(scope: Construct, a: PipelineActivity, props: ScheduledPipelineProps,
    statements: iam.PolicyStatement[], wildcards: Map<string, string>): sfn.IChainable {
    const fail = new sfn.Fail(scope, `${a.name} failed`, { error: 'ActivityFailed', cause: `Activity ${a.name} (${a.work.description}) failed` });
    let onError: sfn.IChainable = fail;
    if (props.notificationTopic) {
      const notify = new tasks.SnsPublish(scope, `Notify ${a.name} failed`, {
        topic: props.notificationTopic,
        subject: `Pipeline activity ${a.name} failed`,
        message: sfn.TaskInput.fromObject({
          pipeline: this.node.path, activity: a.name, execution: sfn.JsonPath.executionId, error: sfn.JsonPath.objectAt('$.error'),
        }),
        resultPath: sfn.JsonPath.DISCARD,
      });
      notify.addCatch(fail, { resultPath: '$.notificationError' });
      onError = notify.next(fail);
    }
    // only rendered by work that can fail without an error (e.g. a command that ends in status Failed)
    const workFailed = () => new sfn.Pass(scope, `${a.name} work failed`, {
      parameters: { 'Error': 'WorkFailed', 'Cause.$': 'States.JsonToString($)' },
      resultPath: '$.error',
    }).next(onError);
    const work = a.work._render(scope, a.name, workFailed);
    const retry = a.retry ?? {};
    const maxAttempts = retry.maxAttempts ?? 2;
    for (const s of work.retried) {
      if (maxAttempts > 0) {
        s.addRetry({ errors: [sfn.Errors.ALL], maxAttempts, interval: retry.interval ?? Duration.minutes(1), backoffRate: retry.backoffRate ?? 2 });
      }
      s.addCatch(onError, { resultPath: '$.error' });
    }
    for (const s of work.caught) s.addCatch(onError, { resultPath: '$.error' });
    statements.push(...work.statements);
    for (const w of work.wildcards) wildcards.set(w.resource, w.reason);

    const preconditions = a.preconditions ?? [];
    if (preconditions.length === 0) return work.chain;
    const unmet = new sfn.Pass(scope, `${a.name} precondition not met`, {
      result: sfn.Result.fromObject({ Error: 'PreconditionNotMet', Cause: preconditions.map((p) => p.description).join('; ') }),
      resultPath: '$.error',
    }).next(onError);
    let start: sfn.State = work.chain.startState;
    for (let i = preconditions.length - 1; i >= 0; i--) {
      start = preconditions[i]._render(scope, `${a.name} precondition ${i + 1}`, start, unmet);
    }
    return sfn.Chain.custom(start, work.chain.endStates, work.chain);
  }

  private validate(props: ScheduledPipelineProps): Map<string, PipelineActivity> {
    Validate.count(this, 'activities', 1, 100, props.activities);
    Validate.count(this, 'schedules', 1, 50, props.schedules);
    const names = props.activities.map((a) => a.name);
    Validate.unique(this, 'activities[].name', names);
    const byName = new Map(props.activities.map((a) => [a.name, a]));
    props.activities.forEach((a, i) => {
      Validate.pattern(this, `activities[${i}].name`, ACTIVITY_NAME, 'letters, digits, spaces, "-" and "_", at most 40 characters', a.name);
      (a.dependsOn ?? []).forEach((d, j) => {
        Validate.that(this, byName.has(d) && d !== a.name, { prop: `activities[${i}].dependsOn[${j}]`, value: d, allowed: `the name of another activity (${names.filter((n) => n !== a.name).join(', ')})` });
      });
      const r = a.retry;
      if (r) {
        Validate.integer(this, `activities[${i}].retry.maxAttempts`, 0, 99_999_999, r.maxAttempts);
        if (r.interval) Validate.integer(this, `activities[${i}].retry.interval`, 1, 99_999_999, r.interval.toSeconds({ integral: false }), 'seconds');
        Validate.range(this, `activities[${i}].retry.backoffRate`, 1, 10, r.backoffRate);
      }
    });
    // dependency cycles
    const state = new Map<string, 'visiting' | 'done'>();
    const visit = (name: string, path: string[]) => {
      if (state.get(name) === 'done') return;
      if (state.get(name) === 'visiting') {
        Validate.fail(this, { prop: 'activities[].dependsOn', value: [...path.slice(path.indexOf(name)), name].join(' -> '), allowed: 'dependencies without cycles' });
      }
      state.set(name, 'visiting');
      for (const d of byName.get(name)?.dependsOn ?? []) visit(d, [...path, name]);
      state.set(name, 'done');
    };
    names.forEach((n) => visit(n, []));

    Validate.unique(this, 'schedules[].name', props.schedules.map((s) => s.name));
    props.schedules.forEach((s, i) => {
      Validate.pattern(this, `schedules[${i}].name`, SCHEDULE_NAME, '1-64 letters, digits, ".", "-" and "_"', s.name);
      Validate.count(this, `schedules[${i}].activities`, 1, 100, s.activities);
      s.activities.forEach((n, j) => Validate.that(this, byName.has(n), { prop: `schedules[${i}].activities[${j}]`, value: n, allowed: `an activity name (${names.join(', ')})` }));
    });
    return byName;
  }
}
