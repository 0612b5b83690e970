import { AccessModel, allPaths, expectValidAsl, OTHER_ACCOUNT, Principals, stateMachineDefinitions, taskActions, testStack } from '@analytics-patterns/testing';
import { Aws, CfnResource, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { ISandboxBeforeDelete, SandboxExpiry, SandboxLifetime } from '../src';
import { runJsonata } from './support/run-jsonata';
import { cycleIn } from './support/template-cycles';

const STACK_ID = 'REF_AWS::StackId';

function build(hours = '4') {
  const stack = testStack({ sandbox: true, context: { [SandboxLifetime.TTL_CONTEXT_KEY]: hours } });
  const expiry = SandboxLifetime.apply(stack)!.expiry!;
  const template = Template.fromStack(stack);
  const defs = stateMachineDefinitions(template);
  const id = (sm: sfn.StateMachine) => stack.getLogicalId(sm.node.defaultChild as sfn.CfnStateMachine);
  return { stack, expiry, template, del: defs[id(expiry.deleteStateMachine)], arm: defs[id(expiry.armStateMachine)] };
}

/** A DescribeStacks result for a stack in `status`, with or without a service role and protection. */
function described(status: string, extra: Record<string, unknown> = { RoleARN: 'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role' }) {
  return () => ({ Stacks: [{ StackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/TestStack/1', StackStatus: status, EnableTerminationProtection: false, ...extra }] });
}

/** DescribeStacks results in order (the last one repeats): each a status, or [status, reason]. */
function statuses(...list: Array<string | [string, string]>) {
  return () => {
    const next = list.length > 1 ? list.shift()! : list[0];
    const [status, reason] = Array.isArray(next) ? next : [next, undefined];
    return described(status, { RoleARN: 'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role', ...(reason ? { StackStatusReason: reason } : {}) })();
  };
}

describe('SandboxExpiry: the delete state machine', () => {
  const { del } = build();

  test('is valid Amazon States Language (JSONata) and every path ends in Succeed, Fail or a loop back to DescribeStack', () => {
    expectValidAsl(del);
    expect(del.QueryLanguage).toBe('JSONata');
    expect(allPaths(del).map((p) => p.join(' > ')).sort()).toEqual([
      'Start > DescribeStack > CheckStack > DeleteFailed',
      'Start > DescribeStack > CheckStack > DeleteStack > WaitForDeletion',
      'Start > DescribeStack > CheckStack > Deleted',
      'Start > DescribeStack > CheckStack > NoServiceRole',
      'Start > DescribeStack > CheckStack > TerminationProtected',
      'Start > DescribeStack > CheckStack > WaitBeforeRetry > DeleteStack > WaitForDeletion',
      'Start > DescribeStack > CheckStack > WaitForDeletion',
      'Start > DescribeStack > CheckStack > WaitForDeployment',
    ]);
    expect(del.States.Start).toEqual({ Type: 'Pass', Assign: { attempts: 0 }, Next: 'DescribeStack' });
    expect(del.States.WaitForDeployment).toEqual({ Type: 'Wait', Seconds: 300, Next: 'DescribeStack' });
    expect(del.States.WaitForDeletion).toEqual({ Type: 'Wait', Seconds: 60, Next: 'DescribeStack' });
    expect(del.States.WaitBeforeRetry).toEqual({ Type: 'Wait', Seconds: 300, Next: 'DeleteStack' });
    expect(del.States.DeleteStack.Next).toBe('WaitForDeletion');
    expect(del.States.DeleteStack.Assign).toEqual({ attempts: '{% $attempts + 1 %}' });
  });

  test('checks DELETE_COMPLETE, DELETE_IN_PROGRESS, DELETE_FAILED (bounded) before anything else', () => {
    expect(del.States.CheckStack.Choices.map((c: any) => [c.Condition, c.Next])).toEqual([
      ["{% $stack.StackStatus in ['DELETE_COMPLETE'] %}", 'Deleted'],
      ["{% $stack.StackStatus in ['DELETE_IN_PROGRESS'] %}", 'WaitForDeletion'],
      ["{% $stack.StackStatus = 'DELETE_FAILED' and $attempts >= 3 %}", 'DeleteFailed'],
      ["{% $stack.StackStatus in ['DELETE_FAILED'] %}", 'WaitBeforeRetry'],
      ["{% $contains($stack.StackStatus, 'IN_PROGRESS') %}", 'WaitForDeployment'],
      ['{% $stack.EnableTerminationProtection = true %}', 'TerminationProtected'],
      ['{% $not($exists($stack.RoleARN)) %}', 'NoServiceRole'],
    ]);
    expect(del.States.CheckStack.Default).toBe('DeleteStack');
  });

  test('describes and deletes this stack by its ID, without RoleARN (CloudFormation uses the stack\'s service role)', () => {
    expect(del.States.DescribeStack).toMatchObject({
      Resource: 'arn:aws:states:::aws-sdk:cloudformation:describeStacks', Arguments: { StackName: STACK_ID }, Assign: { stack: '{% $states.result.Stacks[0] %}' },
    });
    expect(del.States.DeleteStack.Resource).toBe('arn:aws:states:::aws-sdk:cloudformation:deleteStack');
    expect(del.States.DeleteStack.Arguments).toEqual({ StackName: STACK_ID });
    for (const s of ['DescribeStack', 'DeleteStack']) {
      expect(del.States[s].Retry).toEqual([{ ErrorEquals: ['States.ALL'], IntervalSeconds: 30, MaxAttempts: 3, BackoffRate: 2 }]);
    }
  });

  test('runs: a deployed stack with a service role is deleted, and the machine waits until it is gone', async () => {
    const r = await runJsonata(del, { tasks: { DescribeStack: statuses('UPDATE_COMPLETE', 'DELETE_IN_PROGRESS', 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE'), DeleteStack: () => ({}) } });
    expect(r).toMatchObject({ status: 'SUCCEEDED' });
    expect(r.path).toEqual([
      'Start', 'DescribeStack', 'CheckStack', 'DeleteStack', 'WaitForDeletion',
      'DescribeStack', 'CheckStack', 'WaitForDeletion', 'DescribeStack', 'CheckStack', 'WaitForDeletion', 'DescribeStack', 'CheckStack', 'Deleted',
    ]);
    expect(r.output).toEqual({ stackId: 'arn:aws:cloudformation:eu-west-1:123456789012:stack/TestStack/1', deleteAttempts: 1 });
    expect(r.calls.filter((c) => c.state === 'DeleteStack')).toEqual([{ state: 'DeleteStack', args: { StackName: STACK_ID } }]);
    expect(r.calls[0]).toEqual({ state: 'DescribeStack', args: { StackName: STACK_ID } });
  });

  test('runs: DELETE_FAILED once, then the retry deletes the stack', async () => {
    const r = await runJsonata(del, {
      tasks: { DescribeStack: statuses('CREATE_COMPLETE', 'DELETE_IN_PROGRESS', ['DELETE_FAILED', 'ReplicationConfig: busy'], 'DELETE_IN_PROGRESS', 'DELETE_COMPLETE'), DeleteStack: () => ({}) },
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.path).toEqual([
      'Start', 'DescribeStack', 'CheckStack', 'DeleteStack', 'WaitForDeletion', 'DescribeStack', 'CheckStack', 'WaitForDeletion',
      'DescribeStack', 'CheckStack', 'WaitBeforeRetry', 'DeleteStack', 'WaitForDeletion', 'DescribeStack', 'CheckStack', 'WaitForDeletion', 'DescribeStack', 'CheckStack', 'Deleted',
    ]);
    expect(r.output.deleteAttempts).toBe(2);
  });

  test('runs: DELETE_FAILED every time -> three DeleteStack calls, then Sandbox.DeleteFailed with CloudFormation\'s reason', async () => {
    const reason = 'The following resource(s) failed to delete: [ReplicationReplication1234].';
    const r = await runJsonata(del, { tasks: { DescribeStack: statuses('UPDATE_COMPLETE', ['DELETE_FAILED', reason]), DeleteStack: () => ({}) } });
    expect(r).toMatchObject({ status: 'FAILED', error: 'Sandbox.DeleteFailed' });
    expect(r.cause).toBe(`The stack is still DELETE_FAILED after 3 DeleteStack attempts: ${reason}. See the stack events, fix the resource named there and delete the stack by hand.`);
    expect(r.calls.filter((c) => c.state === 'DeleteStack')).toHaveLength(3);
    expect(r.path.slice(-3)).toEqual(['DescribeStack', 'CheckStack', 'DeleteFailed']);
  });

  test('runs: a stack in the middle of a deployment is waited for, then deleted', async () => {
    const r = await runJsonata(del, { tasks: { DescribeStack: statuses('UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'UPDATE_COMPLETE', 'DELETE_COMPLETE'), DeleteStack: () => ({}) } });
    expect(r.path).toEqual([
      'Start', 'DescribeStack', 'CheckStack', 'WaitForDeployment', 'DescribeStack', 'CheckStack', 'WaitForDeployment',
      'DescribeStack', 'CheckStack', 'DeleteStack', 'WaitForDeletion', 'DescribeStack', 'CheckStack', 'Deleted',
    ]);
  });

  test('runs: a stack already DELETE_COMPLETE is left alone; one DELETE_IN_PROGRESS is watched, not deleted again', async () => {
    const never = () => { throw new Error('must not delete'); };
    const done = await runJsonata(del, { tasks: { DescribeStack: described('DELETE_COMPLETE'), DeleteStack: never } });
    expect(done).toMatchObject({ status: 'SUCCEEDED', path: ['Start', 'DescribeStack', 'CheckStack', 'Deleted'], output: { deleteAttempts: 0 } });
    const deleting = await runJsonata(del, { tasks: { DescribeStack: statuses('DELETE_IN_PROGRESS', 'DELETE_COMPLETE'), DeleteStack: never } });
    expect(deleting).toMatchObject({ status: 'SUCCEEDED', path: ['Start', 'DescribeStack', 'CheckStack', 'WaitForDeletion', 'DescribeStack', 'CheckStack', 'Deleted'] });
  });

  test('runs: termination protection, or no service role, fails with a named error and deletes nothing', async () => {
    const never = () => { throw new Error('must not delete'); };
    const protectedStack = await runJsonata(del, { tasks: { DescribeStack: described('CREATE_COMPLETE', { RoleARN: 'r', EnableTerminationProtection: true }), DeleteStack: never } });
    expect(protectedStack).toMatchObject({ status: 'FAILED', error: 'Sandbox.TerminationProtected' });
    const noRole = await runJsonata(del, { tasks: { DescribeStack: described('CREATE_COMPLETE', {}), DeleteStack: never } });
    expect(noRole).toMatchObject({ status: 'FAILED', error: 'Sandbox.NoServiceRole' });
  });
});

describe('SandboxExpiry: the arm state machine', () => {
  const { arm, expiry, stack } = build('4');
  const group = stack.resolve(expiry.scheduleGroup.scheduleGroupName);
  const context = { Execution: { StartTime: '2026-11-28T22:30:15.123Z' } };

  test('is valid Amazon States Language (JSONata); create, or update when the schedule exists', () => {
    expectValidAsl(arm);
    expect(allPaths(arm).map((p) => p.join(' > ')).sort()).toEqual([
      'ComputeExpiry > CreateSchedule > Armed',
      'ComputeExpiry > CreateSchedule > UpdateSchedule > Armed',
    ]);
    expect(arm.States.CreateSchedule.Catch).toEqual([{ ErrorEquals: ['Scheduler.ConflictException'], Next: 'UpdateSchedule' }]);
  });

  test('runs: a first deployment creates a one-time schedule N hours after the execution started, in UTC, that deletes itself', async () => {
    const r = await runJsonata(arm, { context, tasks: { CreateSchedule: () => ({ ScheduleArn: 'x' }) } });
    expect(r).toMatchObject({ status: 'SUCCEEDED', path: ['ComputeExpiry', 'CreateSchedule', 'Armed'], output: { deleteAt: '2026-11-29T02:30:15Z', schedule: 'delete-stack' } });
    expect(r.calls).toEqual([{
      state: 'CreateSchedule',
      args: {
        Name: 'delete-stack',
        GroupName: group,
        ScheduleExpression: 'at(2026-11-29T02:30:15)',
        ScheduleExpressionTimezone: 'UTC',
        FlexibleTimeWindow: { Mode: 'OFF' },
        ActionAfterCompletion: 'DELETE',
        Description: 'Deletes stack TestStack when its sandbox time-to-live (4 h) ends',
        Target: {
          Arn: `REF_${stack.getLogicalId(expiry.deleteStateMachine.node.defaultChild as sfn.CfnStateMachine)}`,
          RoleArn: `ATT_${stack.getLogicalId(expiry.schedulerRole.node.defaultChild as any)}_Arn`,
          Input: '{}',
        },
      },
    }]);
  });

  test('runs: a later deployment moves the existing schedule (ConflictException -> UpdateSchedule with the same arguments)', async () => {
    const r = await runJsonata(arm, {
      context, tasks: { CreateSchedule: () => { throw { Error: 'Scheduler.ConflictException' }; }, UpdateSchedule: () => ({}) },
    });
    expect(r.path).toEqual(['ComputeExpiry', 'CreateSchedule', 'UpdateSchedule', 'Armed']);
    expect(r.calls[1].args).toEqual(r.calls[0].args);
  });

  test('runs: any other scheduler error fails the execution (visible in the console), nothing is retried blindly', async () => {
    const r = await runJsonata(arm, { context, tasks: { CreateSchedule: () => { throw { Error: 'Scheduler.ValidationException' }; } } });
    expect(r).toMatchObject({ status: 'FAILED', error: 'Scheduler.ValidationException' });
    expect(arm.States.CreateSchedule.Retry).toEqual([{
      ErrorEquals: ['Scheduler.ThrottlingException', 'Scheduler.InternalServerException'], IntervalSeconds: 5, MaxAttempts: 3, BackoffRate: 2,
    }]);
  });

  test.each([['1', '2026-11-28T23:30:15'], ['168', '2026-12-05T22:30:15'], ['24', '2026-11-29T22:30:15']])('%s hours: at(%s)', async (hours, at) => {
    const r = await runJsonata(build(hours).arm, { context, tasks: { CreateSchedule: () => ({}) } });
    expect(r.calls[0].args.ScheduleExpression).toBe(`at(${at})`);
  });
});

describe('SandboxExpiry: the deploy trigger', () => {
  test('this stack\'s own CREATE_COMPLETE / UPDATE_COMPLETE events start the arm state machine, with a role of this account', () => {
    const { template, expiry, stack } = build();
    const rules = Object.values(template.findResources('AWS::Events::Rule'));
    expect(rules).toHaveLength(1);
    expect(rules[0].Properties.EventPattern).toEqual({
      'source': ['aws.cloudformation'],
      'detail-type': ['CloudFormation Stack Status Change'],
      'detail': { 'stack-id': [{ Ref: 'AWS::StackId' }], 'status-details': { status: ['CREATE_COMPLETE', 'UPDATE_COMPLETE'] } },
    });
    expect(rules[0].Properties.Targets).toEqual([{
      Id: 'Target0',
      Arn: { Ref: stack.getLogicalId(expiry.armStateMachine.node.defaultChild as sfn.CfnStateMachine) },
      RoleArn: { 'Fn::GetAtt': [stack.getLogicalId(expiry.onDeployRole.node.defaultChild as any), 'Arn'] },
    }]);
  });

  test('the schedule group is deleted with the stack (and the schedule in it); an output names the schedule', () => {
    const { template } = build();
    const groups = Object.values(template.findResources('AWS::Scheduler::ScheduleGroup'));
    expect(groups).toHaveLength(1);
    expect(groups[0].DeletionPolicy).toBe('Delete');
    expect(template.toJSON().Outputs.SandboxExpirySchedule.Value).toMatch(/^TestStack-SandboxLifetime-Expiry-ScheduleGroup-[0-9A-F]{8}\/delete-stack$/);
  });
});

describe('SandboxExpiry: run-time permissions (least privilege)', () => {
  const { stack, expiry, del, arm } = build();
  const access = AccessModel.of(stack);
  const role = (r: { roleArn: string }) => r.roleArn;
  const otherStack = 'arn:aws:cloudformation:eu-west-1:123456789012:stack/OtherStack/0f0f0f0f-0000-0000-0000-000000000000';
  const otherStateMachine = 'arn:aws:states:eu-west-1:123456789012:stateMachine:Other';
  const otherGroup = 'arn:aws:scheduler:eu-west-1:123456789012:schedule-group/other';
  const groupArn = expiry.scheduleGroup.scheduleGroupArn;
  const groupName = String(access.resolve(expiry.scheduleGroup.scheduleGroupName));

  /** The resource each task of a definition acts on, read from its arguments. */
  const resourceOf = (input: any): string => {
    if (input.StackName === STACK_ID) return Aws.STACK_ID;
    if (input.Name === 'delete-stack' && input.GroupName === groupName) return expiry.scheduleArn;
    throw new Error(`unexpected task input ${JSON.stringify(input)}`);
  };

  test('each state machine may do every task of its definition, on the resource the task names', async () => {
    for (const [sm, def] of [[expiry.deleteStateMachine, del], [expiry.armStateMachine, arm]] as const) {
      const actions = taskActions(def);
      expect(actions.length).toBeGreaterThan(0);
      for (const t of actions) {
        for (const action of t.actions) await access.expectAllowed({ principal: role(sm.role), action, resource: resourceOf(t.input) });
      }
    }
    expect(taskActions(del).map((t) => t.actions).flat()).toEqual(['cloudformation:DescribeStacks', 'cloudformation:DeleteStack']);
    expect(taskActions(arm).map((t) => t.actions).flat()).toEqual(['scheduler:CreateSchedule', 'scheduler:UpdateSchedule']);
  });

  test('the delete state machine may DeleteStack this stack only: not another stack, not by another principal', async () => {
    await access.expectDenied(
      { principal: role(expiry.deleteStateMachine.role), action: 'cloudformation:DeleteStack', resource: otherStack },
      { principal: role(expiry.deleteStateMachine.role), action: 'cloudformation:UpdateStack', resource: Aws.STACK_ID },
      { principal: role(expiry.deleteStateMachine.role), action: 'iam:PassRole', resource: 'arn:aws:iam::123456789012:role/cdk-hnb659fds-cfn-exec-role-123456789012-eu-west-1' },
      { principal: role(expiry.armStateMachine.role), action: 'cloudformation:DeleteStack', resource: Aws.STACK_ID },
      { principal: role(expiry.schedulerRole), action: 'cloudformation:DeleteStack', resource: Aws.STACK_ID },
      { principal: Principals.strangerInAccount(), action: 'cloudformation:DeleteStack', resource: Aws.STACK_ID },
      { ...Principals.otherAccountAdmin(), action: 'cloudformation:DeleteStack', resource: Aws.STACK_ID },
    );
  });

  test('the scheduler role may start the delete state machine only', async () => {
    await access.expectAllowed({ principal: role(expiry.schedulerRole), action: 'states:StartExecution', resource: expiry.deleteStateMachine.stateMachineArn });
    await access.expectDenied(
      { principal: role(expiry.schedulerRole), action: 'states:StartExecution', resource: expiry.armStateMachine.stateMachineArn },
      { principal: role(expiry.schedulerRole), action: 'states:StartExecution', resource: otherStateMachine },
      { principal: role(expiry.schedulerRole), action: 'states:StopExecution', resource: 'arn:aws:states:eu-west-1:123456789012:execution:x:y' },
      { principal: Principals.strangerInAccount(), action: 'states:StartExecution', resource: expiry.deleteStateMachine.stateMachineArn },
    );
  });

  test('the deploy rule\'s role may start the arm state machine only', async () => {
    await access.expectAllowed({ principal: role(expiry.onDeployRole), action: 'states:StartExecution', resource: expiry.armStateMachine.stateMachineArn });
    await access.expectDenied(
      { principal: role(expiry.onDeployRole), action: 'states:StartExecution', resource: expiry.deleteStateMachine.stateMachineArn },
      { principal: Principals.strangerInAccount(), action: 'states:StartExecution', resource: expiry.armStateMachine.stateMachineArn },
    );
  });

  test('the arm state machine may manage its one schedule and pass the scheduler role to EventBridge Scheduler only', async () => {
    const passed = (service: string) => ({ 'iam:PassedToService': service });
    await access.expectAllowed({ principal: role(expiry.armStateMachine.role), action: 'iam:PassRole', resource: role(expiry.schedulerRole), context: passed('scheduler.amazonaws.com') });
    await access.expectDenied(
      { principal: role(expiry.armStateMachine.role), action: 'iam:PassRole', resource: role(expiry.schedulerRole), context: passed('states.amazonaws.com') },
      { principal: role(expiry.armStateMachine.role), action: 'iam:PassRole', resource: role(expiry.deleteStateMachine.role), context: passed('scheduler.amazonaws.com') },
      { principal: role(expiry.armStateMachine.role), action: 'scheduler:CreateSchedule', resource: `${String(access.resolve(groupArn)).replace(':schedule-group/', ':schedule/')}/other` },
      { principal: role(expiry.armStateMachine.role), action: 'scheduler:CreateSchedule', resource: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/default/delete-stack' },
      { principal: role(expiry.armStateMachine.role), action: 'scheduler:DeleteSchedule', resource: expiry.scheduleArn },
      { principal: Principals.strangerInAccount(), action: 'scheduler:UpdateSchedule', resource: expiry.scheduleArn },
    );
  });

  test('trust: each service may assume its role only for this account (and the scheduler only for this schedule group)', async () => {
    const assume = (principal: string, r: { roleArn: string }, context: Record<string, string>) => ({ principal, action: 'sts:AssumeRole', resource: r.roleArn, context });
    const account = (a: string) => ({ 'aws:SourceAccount': a });
    await access.expectAllowed(
      assume('scheduler.amazonaws.com', expiry.schedulerRole, { ...account('123456789012'), 'aws:SourceArn': groupArn }),
      assume('events.amazonaws.com', expiry.onDeployRole, account('123456789012')),
      assume('states.amazonaws.com', expiry.deleteStateMachine.role, account('123456789012')),
      assume('states.amazonaws.com', expiry.armStateMachine.role, account('123456789012')),
    );
    await access.expectDenied(
      assume('scheduler.amazonaws.com', expiry.schedulerRole, { ...account(OTHER_ACCOUNT), 'aws:SourceArn': groupArn }),
      assume('scheduler.amazonaws.com', expiry.schedulerRole, { ...account('123456789012'), 'aws:SourceArn': otherGroup }),
      assume('scheduler.amazonaws.com', expiry.schedulerRole, account('123456789012')),
      assume('events.amazonaws.com', expiry.onDeployRole, account(OTHER_ACCOUNT)),
      assume('states.amazonaws.com', expiry.deleteStateMachine.role, account(OTHER_ACCOUNT)),
      assume('states.amazonaws.com', expiry.armStateMachine.role, account(OTHER_ACCOUNT)),
      assume('events.amazonaws.com', expiry.schedulerRole, { ...account('123456789012'), 'aws:SourceArn': groupArn }),
      assume('scheduler.amazonaws.com', expiry.deleteStateMachine.role, account('123456789012')),
    );
  });

  test('the construct is reachable as SandboxExpiry with every resource exposed', () => {
    expect(expiry).toBeInstanceOf(SandboxExpiry);
    expect(Stack.of(expiry.onDeployRule)).toBe(stack);
  });
});

/** A hook with one SDK task on a resource named at synth time (no Ref/GetAtt). */
function queueHook(): ISandboxBeforeDelete {
  const queueArn = 'arn:aws:sqs:eu-west-1:123456789012:drain-me';
  return {
    statements: [new iam.PolicyStatement({ actions: ['sqs:PurgeQueue'], resources: [queueArn] })],
    bind: (scope) => tasks.CallAwsService.jsonata(scope, 'PurgeQueue', {
      service: 'sqs', action: 'purgeQueue', parameters: { QueueUrl: 'https://sqs.eu-west-1.amazonaws.com/123456789012/drain-me' }, iamResources: [queueArn],
    }),
  };
}

describe('SandboxExpiry: work before each deletion (beforeDelete)', () => {
  function withHook() {
    const stack = testStack({ sandbox: true, context: { [SandboxLifetime.TTL_CONTEXT_KEY]: '4' } });
    const expiry = SandboxLifetime.apply(stack, { beforeDelete: [queueHook()] })!.expiry!;
    const template = Template.fromStack(stack);
    const del = stateMachineDefinitions(template)[stack.getLogicalId(expiry.deleteStateMachine.node.defaultChild as sfn.CfnStateMachine)];
    return { stack, expiry, del };
  }

  test('the hook runs before the first DeleteStack and before each retry', () => {
    const { del } = withHook();
    expectValidAsl(del);
    expect(del.States.CheckStack.Default).toBe('PurgeQueue');
    expect(del.States.WaitBeforeRetry.Next).toBe('PurgeQueue');
    expect(del.States.PurgeQueue.Next).toBe('DeleteStack');
  });

  test('runs: DELETE_FAILED then success calls the hook before each of the two DeleteStack calls', async () => {
    const { del } = withHook();
    const r = await runJsonata(del, {
      tasks: { DescribeStack: statuses('UPDATE_COMPLETE', 'DELETE_FAILED', 'DELETE_COMPLETE'), PurgeQueue: () => ({}), DeleteStack: () => ({}) },
    });
    expect(r.status).toBe('SUCCEEDED');
    expect(r.calls.map((c) => c.state)).toEqual(['DescribeStack', 'PurgeQueue', 'DeleteStack', 'DescribeStack', 'PurgeQueue', 'DeleteStack', 'DescribeStack']);
  });

  test('the hook\'s statements go to the delete state machine\'s role only', async () => {
    const { stack, expiry } = withHook();
    const access = AccessModel.of(stack);
    const queue = 'arn:aws:sqs:eu-west-1:123456789012:drain-me';
    await access.expectAllowed({ principal: expiry.deleteStateMachine.role.roleArn, action: 'sqs:PurgeQueue', resource: queue });
    await access.expectDenied(
      { principal: expiry.deleteStateMachine.role.roleArn, action: 'sqs:PurgeQueue', resource: 'arn:aws:sqs:eu-west-1:123456789012:other' },
      { principal: expiry.armStateMachine.role.roleArn, action: 'sqs:PurgeQueue', resource: queue },
      { principal: Principals.strangerInAccount(), action: 'sqs:PurgeQueue', resource: queue },
    );
  });
});

describe('SandboxExpiry: the delete state machine outlives every other resource', () => {
  function stackWithResources() {
    const stack = testStack({ sandbox: true, context: { [SandboxLifetime.TTL_CONTEXT_KEY]: '4', [SandboxLifetime.BUDGET_CONTEXT_KEY]: '20', 'analytics-patterns:budget-email': 'a@example.com' } });
    new s3.Bucket(stack, 'Data', { removalPolicy: RemovalPolicy.DESTROY, autoDeleteObjects: true });
    const queue = new sqs.Queue(stack, 'Queue');
    const expiry = SandboxLifetime.apply(stack, { beforeDelete: [queueHook()] })!.expiry!;
    new sqs.Queue(stack, 'AddedAfterApply', { deadLetterQueue: { queue, maxReceiveCount: 3 } });
    return { stack, expiry, template: Template.fromStack(stack).toJSON() };
  }

  test('every resource outside SandboxExpiry has DependsOn the delete state machine; the expiry resources do not', () => {
    const { stack, expiry, template } = stackWithResources();
    const sm = stack.getLogicalId(expiry.deleteStateMachine.node.defaultChild as sfn.CfnStateMachine);
    const expiryIds = new Set(expiry.node.findAll().filter((c): c is CfnResource => CfnResource.isCfnResource(c)).map((c) => stack.getLogicalId(c)));
    const others = Object.keys(template.Resources).filter((id) => !expiryIds.has(id));
    expect(others.length).toBeGreaterThan(5);
    const dependsOn = (id: string) => ({ id, dependsOn: [template.Resources[id].DependsOn ?? []].flat() });
    for (const id of others) expect(dependsOn(id)).toEqual({ id, dependsOn: expect.arrayContaining([sm]) });
    for (const id of expiryIds) expect(dependsOn(id)).toEqual({ id, dependsOn: expect.not.arrayContaining([sm]) });
    // the state machine itself waits for its role and policy, so CloudFormation deletes them after it
    expect(template.Resources[sm].DependsOn).toEqual(expect.arrayContaining([
      stack.getLogicalId(expiry.deleteStateMachine.role.node.tryFindChild('DefaultPolicy')!.node.defaultChild as CfnResource),
      stack.getLogicalId(expiry.deleteStateMachine.role.node.defaultChild as CfnResource),
    ]));
  });

  test('the dependencies form no cycle', () => {
    const { template } = stackWithResources();
    expect(cycleIn(template)).toEqual([]);
    // the check finds a cycle when there is one
    expect(cycleIn({ Resources: { A: { DependsOn: ['B'] }, B: { Properties: { X: { Ref: 'A' } } } } })).toEqual(['A', 'B']);
  });
});
