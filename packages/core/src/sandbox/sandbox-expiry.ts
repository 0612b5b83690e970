import { Aspects, AspectPriority, Aws, CfnOutput, CfnResource, Duration, IAspect, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct, IConstruct } from 'constructs';
import { TTL_HOURS } from './sandbox-context';
import { NagAcknowledgements } from '../compliance/nag';
import { Validate } from '../validation/validate';

/** Props for {@link SandboxExpiry}. */
export interface SandboxExpiryProps {
  /**
   * Hours from each successful deployment to the deletion of the stack: a whole number from 1 to
   * 168, known at synth time (it is written into the state machine definition; no token).
   */
  readonly hours: number;
  /**
   * Work the delete state machine does before each `DeleteStack` attempt, in order: the first
   * attempt and every retry after a `DELETE_FAILED` (for example, stopping a DMS Serverless
   * replication, which makes the deletion of its configuration fail while it runs).
   *
   * A hook must not reference this stack's resources with `Ref`/`Fn::GetAtt` (the delete
   * state machine would then depend on them, while every resource of the stack depends on
   * the delete state machine: a cycle); name them by identifiers known at synth time.
   * @default - none
   */
  readonly beforeDelete?: ISandboxBeforeDelete[];
}

/**
 * Work the sandbox delete state machine does before each `DeleteStack` attempt.
 * @see SandboxExpiryProps.beforeDelete
 */
export interface ISandboxBeforeDelete {
  /**
   * IAM statements for the delete state machine's role beyond those its tasks declare
   * themselves (`CallAwsService` grants its `iamAction` on its `iamResources`).
   */
  readonly statements: iam.PolicyStatement[];
  /**
   * Builds the states of this step in `scope` (the `SandboxExpiry` construct: use ids unique
   * in it) and returns them as a chain whose end continues to the next step (end a `Choice`
   * with `.afterwards()`). Query language JSONata. It may end the execution with a `Fail`
   * state when the stack cannot be deleted.
   */
  bind(scope: Construct): sfn.IChainable;
}

/** Optional parts of an {@link ISandboxBeforeDelete}. */
export interface ISandboxBeforeDeleteWildcard extends ISandboxBeforeDelete {
  /**
   * Why an action of this step needs `Resource: "*"` (the action supports no resource-level
   * permission): added to the delete state machine role's cdk-nag acknowledgement.
   */
  readonly wildcardReason: string;
}

/** Milliseconds in an hour, for the JSONata expression that computes the expiry time. */
const MS_PER_HOUR = 3_600_000;
/** The one-time schedule's name inside the stack's own schedule group. */
const SCHEDULE_NAME = 'delete-stack';
/** How long the delete state machine waits before it looks again at a stack that is being deployed. */
const BUSY_STACK_WAIT = Duration.minutes(5);
/** How often the delete state machine looks at a stack that is being deleted. */
const DELETION_POLL = Duration.minutes(1);
/** How long the delete state machine waits after a `DELETE_FAILED` before it tries again. */
const RETRY_WAIT = Duration.minutes(5);
/**
 * `DeleteStack` calls per execution: the first and two retries after `DELETE_FAILED`; then the
 * execution fails with `Sandbox.DeleteFailed` (a resource that fails three times needs a human).
 */
const MAX_DELETE_ATTEMPTS = 3;

/**
 * The time-to-live of a sandbox stack: deletes the stack N hours after its latest successful
 * deployment. Built by `SandboxLifetime`; read its docs for the design.
 *
 * - `onDeployRule`: an EventBridge rule on this stack's own `CREATE_COMPLETE`/`UPDATE_COMPLETE`
 *   status-change events starts `armStateMachine`;
 * - `armStateMachine` computes `at(<execution start + N hours>)` (JSONata) and creates, or on
 *   later deploys updates, the one-time schedule `delete-stack` in `scheduleGroup` (the group
 *   is part of the stack, so deleting the stack deletes the schedule too);
 * - the schedule (EventBridge Scheduler, `schedulerRole`) starts `deleteStateMachine`, which
 *   checks the stack (not protected, deployed with a CloudFormation service role, not in the
 *   middle of a deployment), runs the `beforeDelete` steps and calls
 *   `cloudformation:DeleteStack` on this stack only; then it polls `DescribeStacks` until the
 *   stack is gone or `DELETE_FAILED`. On `DELETE_FAILED` it waits, runs the `beforeDelete`
 *   steps again and retries, at most 3 `DeleteStack` calls in all, then fails with
 *   `Sandbox.DeleteFailed` and CloudFormation's reason as the cause.
 *
 * The delete state machine must outlive every resource whose deletion can fail, or nothing would
 * be left to retry: every other resource of the stack depends on it (`DependsOn`), so
 * CloudFormation deletes it, its role and its policy last. A successful deletion therefore ends
 * the execution with the stack (Step Functions stops the executions of a deleted state machine).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-dependson.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_DescribeStacks.html
 */
export class SandboxExpiry extends Construct {
  /** The schedule group that holds the one-time schedule (deleted with the stack, and its schedules with it). */
  public readonly scheduleGroup: scheduler.ScheduleGroup;
  /** The role EventBridge Scheduler assumes to start `deleteStateMachine` (and nothing else). */
  public readonly schedulerRole: iam.Role;
  /** Deletes the stack. */
  public readonly deleteStateMachine: sfn.StateMachine;
  /** Creates or moves the one-time schedule after each successful deployment. */
  public readonly armStateMachine: sfn.StateMachine;
  /** Starts `armStateMachine` when this stack's deployment completes. */
  public readonly onDeployRule: events.Rule;
  /** The role EventBridge assumes to start `armStateMachine`. */
  public readonly onDeployRole: iam.Role;
  /** The ARN of the one-time schedule `armStateMachine` manages. */
  public readonly scheduleArn: string;

  constructor(scope: Construct, id: string, props: SandboxExpiryProps) {
    super(scope, id);
    Validate.that(this, !Token.isUnresolved(props.hours), { prop: 'hours', value: props.hours, allowed: 'a number known at synth time (not a token)' });
    Validate.number(this, props.hours, { prop: 'hours', ...TTL_HOURS });
    const stack = Stack.of(this);
    // deleting the group deletes the schedule in it: nothing outlives the stack
    this.scheduleGroup = new scheduler.ScheduleGroup(this, 'ScheduleGroup', { removalPolicy: RemovalPolicy.DESTROY });
    this.scheduleArn = stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${this.scheduleGroup.scheduleGroupName}/${SCHEDULE_NAME}` });
    this.deleteStateMachine = this.createDeleteStateMachine(props.beforeDelete ?? []);
    Aspects.of(stack).add(new OutliveTheStack(this), { priority: AspectPriority.MUTATING });
    this.schedulerRole = this.createSchedulerRole();
    this.armStateMachine = this.createArmStateMachine(props.hours);
    this.onDeployRole = serviceRole(this, 'OnDeployRole', 'events.amazonaws.com', 'Starts the sandbox expiry arming state machine after each deployment of this stack');
    this.onDeployRule = this.createOnDeployRule();
    const wildcardReasons = (props.beforeDelete ?? []).map((h) => (h as Partial<ISandboxBeforeDeleteWildcard>).wildcardReason);
    this.acknowledge(wildcardReasons.filter((r): r is string => !!r));
    new CfnOutput(stack, 'SandboxExpirySchedule', {
      value: `${this.scheduleGroup.scheduleGroupName}/${SCHEDULE_NAME}`,
      description: `Sandbox time-to-live: aws scheduler get-schedule --group-name <group> --name ${SCHEDULE_NAME} shows when this stack is deleted`,
    });
  }

  /**
   * DescribeStacks, check, the `beforeDelete` steps, DeleteStack, then DescribeStacks until the
   * stack is gone or DELETE_FAILED (retried a bounded number of times): CloudFormation calls on
   * this stack's ARN only.
   */
  private createDeleteStateMachine(beforeDelete: ISandboxBeforeDelete[]): sfn.StateMachine {
    const stackId = Aws.STACK_ID;
    const start = sfn.Pass.jsonata(this, 'Start', { assign: { attempts: 0 } });
    const describe = tasks.CallAwsService.jsonata(this, 'DescribeStack', {
      service: 'cloudformation',
      action: 'describeStacks',
      parameters: { StackName: stackId },
      iamResources: [stackId],
      iamAction: 'cloudformation:DescribeStacks',
      assign: { stack: '{% $states.result.Stacks[0] %}' },
    });
    describe.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(30), maxAttempts: 3, backoffRate: 2 });
    const del = tasks.CallAwsService.jsonata(this, 'DeleteStack', {
      service: 'cloudformation',
      action: 'deleteStack',
      // no RoleARN: CloudFormation uses the service role the stack was deployed with
      parameters: { StackName: stackId },
      iamResources: [stackId],
      iamAction: 'cloudformation:DeleteStack',
      assign: { attempts: '{% $attempts + 1 %}' },
    });
    del.addRetry({ errors: ['States.ALL'], interval: Duration.seconds(30), maxAttempts: 3, backoffRate: 2 });
    // the steps before each attempt, then DeleteStack, then poll until deleted or DELETE_FAILED
    const hooks = beforeDelete.map((hook) => hook.bind(this));
    const attempt = hooks.length === 0 ? del : hooks.reduce<sfn.Chain | undefined>(
      (chain, hook) => (chain ? chain.next(hook) : sfn.Chain.start(hook)), undefined)!.next(del);
    const waitForDeletion = sfn.Wait.jsonata(this, 'WaitForDeletion', { time: sfn.WaitTime.duration(DELETION_POLL) });
    del.next(waitForDeletion);
    waitForDeletion.next(describe);
    const wait = sfn.Wait.jsonata(this, 'WaitForDeployment', { time: sfn.WaitTime.duration(BUSY_STACK_WAIT) });
    const retryWait = sfn.Wait.jsonata(this, 'WaitBeforeRetry', { time: sfn.WaitTime.duration(RETRY_WAIT) });
    const status = (...names: string[]) => sfn.Condition.jsonata(`{% $stack.StackStatus in [${names.map((n) => `'${n}'`).join(', ')}] %}`);
    const check = sfn.Choice.jsonata(this, 'CheckStack')
      .when(status('DELETE_COMPLETE'), sfn.Succeed.jsonata(this, 'Deleted', { outputs: { stackId: '{% $stack.StackId %}', deleteAttempts: '{% $attempts %}' } }))
      .when(status('DELETE_IN_PROGRESS'), waitForDeletion)
      .when(sfn.Condition.jsonata(`{% $stack.StackStatus = 'DELETE_FAILED' and $attempts >= ${MAX_DELETE_ATTEMPTS} %}`), sfn.Fail.jsonata(this, 'DeleteFailed', {
        error: 'Sandbox.DeleteFailed',
        cause: '{% \'The stack is still DELETE_FAILED after \' & $string($attempts) & \' DeleteStack attempts: \' & ($stack.StackStatusReason ? $stack.StackStatusReason : \'no reason given\') & \'. See the stack events, fix the resource named there and delete the stack by hand.\' %}',
      }))
      .when(status('DELETE_FAILED'), retryWait.next(attempt))
      .when(sfn.Condition.jsonata("{% $contains($stack.StackStatus, 'IN_PROGRESS') %}"), wait.next(describe))
      .when(sfn.Condition.jsonata('{% $stack.EnableTerminationProtection = true %}'), sfn.Fail.jsonata(this, 'TerminationProtected', {
        error: 'Sandbox.TerminationProtected',
        cause: 'The stack has termination protection on: turn it off or delete the stack by hand.',
      }))
      .when(sfn.Condition.jsonata('{% $not($exists($stack.RoleARN)) %}'), sfn.Fail.jsonata(this, 'NoServiceRole', {
        error: 'Sandbox.NoServiceRole',
        cause: 'The stack was deployed without a CloudFormation service role, so CloudFormation would delete it with this state machine\'s own (minimal) permissions: delete it by hand (cdk destroy).',
      }))
      .otherwise(attempt);
    const role = serviceRole(this, 'DeleteRole', 'states.amazonaws.com', 'Deletes this sandbox stack when its time-to-live ends');
    for (const hook of beforeDelete) hook.statements.forEach((st) => role.addToPrincipalPolicy(st));
    return new sfn.StateMachine(this, 'DeleteStateMachine', {
      queryLanguage: sfn.QueryLanguage.JSONATA,
      definitionBody: sfn.DefinitionBody.fromChainable(start.next(describe).next(check)),
      role,
      tracingEnabled: true,
      comment: 'Deletes this sandbox stack (cloudformation:DeleteStack with the stack\'s own service role) when its time-to-live ends, and checks that it is gone',
    });
  }

  /**
   * The role EventBridge Scheduler assumes: start the delete state machine, nothing else; trusted
   * for schedules of this account and this schedule group only.
   * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/setting-up.html#setting-up-execution-role
   */
  private createSchedulerRole(): iam.Role {
    const stack = Stack.of(this);
    const role = new iam.Role(this, 'SchedulerRole', {
      description: 'Lets EventBridge Scheduler start the sandbox delete state machine of this stack',
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnEquals: { 'aws:SourceArn': this.scheduleGroup.scheduleGroupArn },
      }),
    });
    this.deleteStateMachine.grantStartExecution(role);
    return role;
  }

  /** Computes the expiry time from the execution's start and creates (or moves) the one-time schedule. */
  private createArmStateMachine(hours: number): sfn.StateMachine {
    const expiresAt = `{% $fromMillis($toMillis($states.context.Execution.StartTime) + ${hours * MS_PER_HOUR}, '[Y0001]-[M01]-[D01]T[H01]:[m01]:[s01]') %}`;
    const compute = sfn.Pass.jsonata(this, 'ComputeExpiry', { assign: { expiresAt } });
    const schedule = {
      Name: SCHEDULE_NAME,
      GroupName: this.scheduleGroup.scheduleGroupName,
      ScheduleExpression: "{% 'at(' & $expiresAt & ')' %}",
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Description: `Deletes stack ${Stack.of(this).stackName} when its sandbox time-to-live (${hours} h) ends`,
      Target: { Arn: this.deleteStateMachine.stateMachineArn, RoleArn: this.schedulerRole.roleArn, Input: '{}' },
    };
    const passRole = new iam.PolicyStatement({
      actions: ['iam:PassRole'],
      resources: [this.schedulerRole.roleArn],
      conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
    });
    const call = (id: string, action: string) => {
      const task = tasks.CallAwsService.jsonata(this, id, {
        service: 'scheduler',
        action,
        parameters: schedule,
        iamResources: [this.scheduleArn],
        iamAction: `scheduler:${action[0].toUpperCase()}${action.slice(1)}`,
        additionalIamStatements: [passRole],
      });
      task.addRetry({ errors: ['Scheduler.ThrottlingException', 'Scheduler.InternalServerException'], interval: Duration.seconds(5), maxAttempts: 3, backoffRate: 2 });
      return task;
    };
    const armed = sfn.Succeed.jsonata(this, 'Armed', { outputs: { deleteAt: "{% $expiresAt & 'Z' %}", schedule: `${SCHEDULE_NAME}` } });
    const update = call('UpdateSchedule', 'updateSchedule').next(armed);
    const create = call('CreateSchedule', 'createSchedule');
    create.addCatch(update, { errors: ['Scheduler.ConflictException'] });
    return new sfn.StateMachine(this, 'ArmStateMachine', {
      queryLanguage: sfn.QueryLanguage.JSONATA,
      definitionBody: sfn.DefinitionBody.fromChainable(compute.next(create).next(armed)),
      role: serviceRole(this, 'ArmRole', 'states.amazonaws.com', 'Creates or moves the one-time schedule that deletes this sandbox stack'),
      tracingEnabled: true,
      comment: `Schedules the deletion of this sandbox stack ${hours} hours after its latest successful deployment`,
    });
  }

  /** This stack's own CREATE_COMPLETE / UPDATE_COMPLETE events start the arming state machine. */
  private createOnDeployRule(): events.Rule {
    const rule = new events.Rule(this, 'OnDeployRule', {
      description: 'Re-arms the sandbox time-to-live after each successful deployment of this stack',
      eventPattern: {
        source: ['aws.cloudformation'],
        detailType: ['CloudFormation Stack Status Change'],
        detail: { 'stack-id': [Aws.STACK_ID], 'status-details': { status: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] } },
      },
    });
    rule.addTarget(new targets.SfnStateMachine(this.armStateMachine, { role: this.onDeployRole }));
    return rule;
  }

  private acknowledge(hookWildcards: string[]): void {
    for (const sm of [this.deleteStateMachine, this.armStateMachine]) {
      const hooks = sm === this.deleteStateMachine ? hookWildcards.map((r) => ` ${r}`).join('') : '';
      NagAcknowledgements.acknowledge(sm.role, 'AwsSolutions-IAM5[Resource::*]',
        `Step Functions X-Ray tracing actions (xray:PutTraceSegments and friends) only support Resource "*".${hooks}`);
      NagAcknowledgements.acknowledge(sm, 'AwsSolutions-SF1',
        'Runs once per deployment (arm) or once at expiry (delete); a log group of this stack would be deleted by the very stack deletion it records, and the Step Functions execution history keeps every state\'s input, output and error.');
    }
  }
}

/**
 * A role for one AWS service principal, limited to requests made for this account
 * (`aws:SourceAccount`, which Step Functions and EventBridge send when they assume a role).
 * @see https://docs.aws.amazon.com/step-functions/latest/dg/procedure-create-iam-role.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/policy-keys-eventbridge.html
 */
function serviceRole(scope: Construct, id: string, service: string, description: string): iam.Role {
  return new iam.Role(scope, id, {
    description,
    assumedBy: new iam.ServicePrincipal(service).withConditions({ StringEquals: { 'aws:SourceAccount': Stack.of(scope).account } }),
  });
}

/**
 * Makes every resource of the stack outside `expiry` depend on the delete state machine, so that
 * CloudFormation deletes the state machine (and, through its own dependencies, its role and
 * policy) after everything else: when a resource fails to delete, the machinery that retries is
 * still there. The expiry resources themselves reference nothing outside `expiry`, so no cycle.
 */
class OutliveTheStack implements IAspect {
  constructor(private readonly expiry: SandboxExpiry) {}

  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node) || Stack.of(node) !== Stack.of(this.expiry)) return;
    if (node.node.scopes.includes(this.expiry)) return;
    node.addResourceDependency(this.expiry.deleteStateMachine.node.defaultChild as CfnResource);
  }
}
