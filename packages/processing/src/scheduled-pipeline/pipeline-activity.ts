import { SsmLimits, StepFunctionsLimits, TimeUnit, Validate } from '@analytics-patterns/core';
import { ArnFormat, Duration, Stack, Token, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct, IConstruct } from 'constructs';

const DEFAULT_COMMAND_TIMEOUT = Duration.minutes(30);

/** A state that can retry and catch errors. @internal */
export interface CatchableState {
  addRetry(props?: sfn.RetryProps): unknown;
  addCatch(handler: sfn.IChainable, props?: sfn.CatchProps): unknown;
}

/** The states of one activity's work. @internal */
export interface RenderedWork {
  /** The chain of the work (start to the states that continue to the next activity). */
  readonly chain: sfn.IChainable & { readonly startState: sfn.State; readonly endStates: sfn.INextable[] };
  /** States whose errors are retried (per the activity's retry policy) and caught. */
  readonly retried: CatchableState[];
  /** States whose errors are caught but never retried (polling). */
  readonly caught: CatchableState[];
  /** Policy statements the state machine needs, with the cdk-nag IAM5 findings they cause and why. */
  readonly statements: iam.PolicyStatement[];
  /** Wildcard resources of `statements` with the reason each is needed. */
  readonly wildcards: Array<{ resource: string; reason: string }>;
}

/** Options for {@link ActivityWork.runCommandOnInstances}. */
export interface RunCommandOptions {
  /** Tag key that selects the EC2 instances (managed by SSM), e.g. `role`. */
  readonly tagKey: string;
  /** Tag value that selects the instances, e.g. `web`. */
  readonly tagValue: string;
  /** Shell commands, run as root by `AWS-RunShellScript`. */
  readonly commands: string[];
  /**
   * How long the command may run on each instance.
   * @default Duration.minutes(30)
   */
  readonly timeout?: Duration;
  /**
   * How often the state machine checks whether the command finished.
   * @default Duration.minutes(1)
   */
  readonly pollInterval?: Duration;
}

/**
 * What an activity does. Each factory uses a native Step Functions integration
 * (no Lambda code).
 */
export abstract class ActivityWork {
  /**
   * Run another state machine (e.g. a {@link TransientEmrCluster} job) and wait for it
   * (`states:startExecution.sync:2`; the child execution is linked to the parent).
   * @param input the child execution's input
   */
  public static runStateMachine(stateMachine: sfn.IStateMachine, input?: Record<string, any>): ActivityWork {
    return new RunStateMachineWork(stateMachine, input ?? {});
  }

  /**
   * Run shell commands on EC2 instances selected by a tag, through SSM Run Command
   * (`AWS-RunShellScript`), and poll until the command finished: the notes'
   * "copy log files from EC2 to S3" activity, e.g. `aws s3 sync /var/log/app s3://bucket/raw/weblogs/`.
   * The instances' own role needs the S3 write permission.
   */
  public static runCommandOnInstances(options: RunCommandOptions): ActivityWork {
    return new RunCommandWork(options);
  }

  /**
   * Start a Glue crawler (`glue:StartCrawler`) so new partitions become queryable.
   * The crawler runs asynchronously; the activity succeeds once it has started.
   */
  public static startGlueCrawler(crawlerName: string): ActivityWork {
    return new StartCrawlerWork(crawlerName);
  }

  /** A short description for messages. */
  public abstract readonly description: string;

  /**
   * Checks the work's options (on the pipeline, before anything is built).
   * @internal
   */
  public _validate(_scope: IConstruct, _prop: string): void {
    // nothing to check by default
  }

  /** @internal */
  public abstract _render(scope: Construct, id: string, onFailure: () => sfn.IChainable): RenderedWork;
}

class RunStateMachineWork extends ActivityWork {
  public readonly description = 'run a state machine';
  constructor(private readonly stateMachine: sfn.IStateMachine, private readonly input: Record<string, any>) { super(); }
  public _render(scope: Construct, id: string): RenderedWork {
    const stack = Stack.of(scope);
    const state = new sfn.CustomState(scope, id, {
      stateJson: {
        Type: 'Task',
        Resource: `arn:${stack.partition}:states:::states:startExecution.sync:2`,
        Parameters: {
          StateMachineArn: this.stateMachine.stateMachineArn,
          Input: { ...this.input, 'AWS_STEP_FUNCTIONS_STARTED_BY_EXECUTION_ID.$': '$$.Execution.Id' },
        },
        ResultPath: null,
      },
    });
    const name = stack.splitArn(this.stateMachine.stateMachineArn, ArnFormat.COLON_RESOURCE_NAME).resourceName;
    const executions = stack.formatArn({ service: 'states', resource: 'execution', arnFormat: ArnFormat.COLON_RESOURCE_NAME, resourceName: `${this.stateMachine instanceof sfn.StateMachine ? this.stateMachine.stateMachineName : name}:*` });
    return {
      chain: sfn.Chain.start(state),
      retried: [state],
      caught: [],
      statements: [
        new iam.PolicyStatement({ actions: ['states:StartExecution'], resources: [this.stateMachine.stateMachineArn] }),
        new iam.PolicyStatement({ actions: ['states:DescribeExecution', 'states:StopExecution'], resources: [executions] }),
        new iam.PolicyStatement({
          actions: ['events:PutTargets', 'events:PutRule', 'events:DescribeRule'],
          resources: [stack.formatArn({ service: 'events', resource: 'rule', resourceName: 'StepFunctionsGetEventsForStepFunctionsExecutionRule' })],
        }),
      ],
      wildcards: [{ resource: executions, reason: 'Execution names are generated at run time; DescribeExecution/StopExecution are limited to executions of the one child state machine.' }],
    };
  }
}

class RunCommandWork extends ActivityWork {
  public readonly description = 'run a command on EC2 instances';
  constructor(private readonly options: RunCommandOptions) { super(); }
  public _validate(scope: IConstruct, prop: string): void {
    const o = this.options;
    Validate.duration(scope, o.timeout, { prop: `${prop}.timeout`, in: TimeUnit.SECONDS, ...SsmLimits.RUN_SHELL_SCRIPT_TIMEOUT_SECONDS });
    Validate.duration(scope, o.pollInterval, { prop: `${prop}.pollInterval`, in: TimeUnit.SECONDS, ...StepFunctionsLimits.RETRY_INTERVAL_SECONDS });
    const tagKey = SsmLimits.TARGET_TAG_KEY_LENGTH;
    Validate.that(scope, Token.isUnresolved(o.tagKey) || (o.tagKey.length >= tagKey.min && o.tagKey.length <= tagKey.max), {
      prop: `${prop}.tagKey`, value: o.tagKey, allowed: `${tagKey.min}-${tagKey.max} characters`,
    });
  }

  public _render(scope: Construct, id: string, onFailure: () => sfn.IChainable): RenderedWork {
    const stack = Stack.of(scope);
    const o = this.options;
    const timeout = Validate.duration(scope, o.timeout ?? DEFAULT_COMMAND_TIMEOUT, { prop: 'timeout', in: TimeUnit.SECONDS, ...SsmLimits.RUN_SHELL_SCRIPT_TIMEOUT_SECONDS })!;
    const document = stack.formatArn({ service: 'ssm', account: '', resource: 'document', resourceName: 'AWS-RunShellScript' });
    const instances = stack.formatArn({ service: 'ec2', resource: 'instance', resourceName: '*' });
    const send = new tasks.CallAwsService(scope, id, {
      service: 'ssm',
      action: 'sendCommand',
      parameters: {
        DocumentName: 'AWS-RunShellScript',
        Targets: [{ Key: `tag:${o.tagKey}`, Values: [o.tagValue] }],
        // a number token must become a string token (String(token) would render its encoded value)
        Parameters: { commands: o.commands, executionTimeout: [Tokenization.stringifyNumber(timeout)] },
        Comment: `${id} (Step Functions)`,
      },
      iamResources: [document],
      additionalIamStatements: [new iam.PolicyStatement({
        actions: ['ssm:SendCommand'],
        resources: [instances],
        conditions: { StringEquals: { [`ssm:resourceTag/${o.tagKey}`]: [o.tagValue] } },
      })],
      resultSelector: { 'CommandId.$': '$.Command.CommandId' },
      resultPath: '$.command',
    });
    const wait = new sfn.Wait(scope, `${id} (wait)`, { time: sfn.WaitTime.duration(o.pollInterval ?? Duration.minutes(1)) });
    const check = new tasks.CallAwsService(scope, `${id} (status)`, {
      service: 'ssm',
      action: 'listCommands',
      parameters: { 'CommandId.$': '$.command.CommandId' },
      iamResources: ['*'],
      resultSelector: { 'Status.$': '$.Commands[0].Status' },
      resultPath: '$.commandStatus',
    });
    const done = new sfn.Pass(scope, `${id} (done)`);
    const decide = new sfn.Choice(scope, `${id} (finished?)`)
      .when(sfn.Condition.stringEquals('$.commandStatus.Status', 'Success'), done)
      .when(sfn.Condition.or(
        sfn.Condition.stringEquals('$.commandStatus.Status', 'Pending'),
        sfn.Condition.stringEquals('$.commandStatus.Status', 'InProgress'),
      ), wait)
      .otherwise(onFailure());
    send.next(wait);
    wait.next(check);
    check.next(decide);
    return {
      chain: sfn.Chain.custom(send, [done], done),
      retried: [send],
      caught: [check],
      statements: [],
      wildcards: [
        { resource: instances, reason: 'SendCommand targets instances by tag at run time; the instance ARN wildcard is limited by the ssm:resourceTag condition to the tagged instances.' },
        { resource: '*', reason: 'ssm:ListCommands has no resource-level permission; it only reads command status.' },
      ],
    };
  }
}

class StartCrawlerWork extends ActivityWork {
  public readonly description = 'start a Glue crawler';
  constructor(private readonly crawlerName: string) { super(); }
  public _render(scope: Construct, id: string): RenderedWork {
    const stack = Stack.of(scope);
    const start = new tasks.CallAwsService(scope, id, {
      service: 'glue',
      action: 'startCrawler',
      parameters: { Name: this.crawlerName },
      iamResources: [stack.formatArn({ service: 'glue', resource: 'crawler', resourceName: this.crawlerName })],
      resultPath: sfn.JsonPath.DISCARD,
    });
    return { chain: sfn.Chain.start(start), retried: [start], caught: [], statements: [], wildcards: [] };
  }
}

/** A readiness check run before an activity (Data Pipeline's preconditions). */
export abstract class Precondition {
  /**
   * At least one object exists under `prefix` in `bucket` (`s3:ListObjectsV2` with MaxKeys 1).
   */
  public static s3PrefixExists(bucket: s3.IBucket, prefix: string): Precondition {
    return new S3PrefixExists(bucket, prefix);
  }

  /** A short description for messages. */
  public abstract readonly description: string;

  /**
   * @internal
   * @param onMet where to go when the condition holds
   * @param onUnmet where to go when it does not (or the check fails)
   */
  public abstract _render(scope: Construct, id: string, onMet: sfn.IChainable, onUnmet: sfn.IChainable): sfn.State;
}

class S3PrefixExists extends Precondition {
  public readonly description: string;
  constructor(private readonly bucket: s3.IBucket, private readonly prefix: string) {
    super();
    this.description = `objects exist under ${prefix}`;
  }
  public _render(scope: Construct, id: string, onMet: sfn.IChainable, onUnmet: sfn.IChainable): sfn.State {
    const list = new tasks.CallAwsService(scope, id, {
      service: 's3',
      action: 'listObjectsV2',
      iamAction: 's3:ListBucket',
      parameters: { Bucket: this.bucket.bucketName, Prefix: this.prefix, MaxKeys: 1 },
      iamResources: [this.bucket.bucketArn],
      resultSelector: { 'KeyCount.$': '$.KeyCount' },
      resultPath: '$.precondition',
    });
    list.addRetry({ errors: ['S3.S3Exception', 'S3.SdkClientException'], maxAttempts: 3, interval: Duration.seconds(10), backoffRate: 2 });
    list.addCatch(onUnmet, { resultPath: '$.error' });
    list.next(new sfn.Choice(scope, `${id} (met?)`)
      .when(sfn.Condition.numberGreaterThan('$.precondition.KeyCount', 0), onMet)
      .otherwise(onUnmet));
    return list;
  }
}
