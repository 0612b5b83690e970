/*
 * Internal (not re-exported): Step Functions states (L2, JSONata) that run SQL through the
 * Redshift Data API with the native AWS SDK integration, poll the statement until it ends, run
 * it again after transient Redshift errors, cancel it when its time is up, and fail the
 * execution with Redshift's error.
 */
import { Duration, Tokenization } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** Data API errors worth retrying: throttling, capacity and server errors, not bad SQL or permissions. */
export const TRANSIENT_API_ERRORS = [
  'RedshiftData.ActiveStatementsExceededException',
  'RedshiftData.ActiveSessionsExceededException',
  'RedshiftData.InternalServerException',
  'RedshiftData.ThrottlingException',
];

/**
 * Redshift (and PostgreSQL) errors in DescribeStatement's `Error` after which running the whole
 * statement again can succeed: a concurrent transaction won (serializable isolation violation,
 * error 1023), a deadlock or lock timeout, a dropped connection. Anything else fails at once.
 */
export const TRANSIENT_SQL_ERROR = '/(serializable isolation violation|error:\\s*1023|could not serialize access|deadlock|lock timeout|connection (reset|closed|refused)|could not connect)/i';

/**
 * Errors of concurrent `CREATE ... IF NOT EXISTS` (two first loads of a table): the loser sees
 * the catalog row the winner inserted. Running the DDL again finds the objects and does nothing.
 */
export const DDL_RACE_ERROR = '/(already exists|duplicate key value violates unique constraint|concurrent transaction|serializable isolation violation|error:\\s*1023|could not serialize access|deadlock)/i';

/** How a statement that runs out of time is stopped. */
export interface StatementDeadline {
  /** JSONata condition (with `{% %}`), true once the statement must be cancelled. */
  readonly condition: string;
  /** Error of the Fail state reached after cancelling. */
  readonly error: string;
}

export interface DataApiStatementProps {
  /** Prefix of the state names, e.g. `Load`; variables are `<prefix lower-cased>Attempt` etc. */
  readonly prefix: string;
  /** Target and credentials: ClusterIdentifier or WorkgroupName, Database, SecretArn. */
  readonly target: Record<string, string>;
  /** JSONata expression (with `{% %}`) for the `Sqls` array of a batch. */
  readonly sqls?: string;
  /** One statement (ExecuteStatement) instead of a batch. */
  readonly sql?: string;
  /** Name given to the statement (shows in SYS_QUERY_HISTORY / Data API ListStatements). */
  readonly statementName: string;
  /** Time between DescribeStatement polls (whole seconds; may be a token). */
  readonly pollInterval: Duration;
  /** Runs of the whole statement/batch after a transient Redshift error, including the first (may be a token). */
  readonly maxAttempts: number;
  /** JSONata regular expression literal of the errors that make another run worthwhile. */
  readonly transientError?: string;
  /** JSONata expression (with `{% %}`) for an idempotency ClientToken of each run. */
  readonly clientToken?: string;
  /** Cancel the statement when this condition holds (checked before every poll). */
  readonly deadline?: StatementDeadline;
  /** Variable counting polls across all statements of the execution (for the history budget). */
  readonly pollCounter?: string;
  /** State to go to when the statement FINISHED. */
  readonly next: sfn.IChainable;
}

/** The states of one Data API statement; `startState` is where to enter. */
export class DataApiStatement extends Construct {
  /** Entry state (`<prefix>Start`). */
  public readonly startState: sfn.State;

  constructor(scope: Construct, id: string, private readonly props: DataApiStatementProps) {
    super(scope, id);
    const p = props.prefix;
    const v = variables(p);
    const poll = sfn.Wait.jsonata(this, 'Wait', { stateName: `${p}Wait`, time: sfn.WaitTime.duration(props.pollInterval) });
    const run = this.runTask(v);
    const describe = this.describeTask(v);
    const check = this.checkChoice(v, run);
    const failed = sfn.Fail.jsonata(this, 'Failed', {
      stateName: `${p}Failed`,
      error: 'Redshift.StatementFailed',
      cause: `{% 'Statement ' & $${v.id} & ' ' & $${v.status} & ': ' & $${v.error} %}`,
    });
    const unknown = this.outcomeUnknown(v);
    const start = sfn.Pass.jsonata(this, 'Start', { stateName: `${p}Start`, assign: { [v.attempt]: 1 } });
    describe.addCatch(unknown, { errors: ['States.ALL'], assign: { [v.error]: "{% $states.errorOutput.Error & ': ' & $states.errorOutput.Cause %}" } });
    start.next(run).next(poll).next(describe);
    describe.next(this.deadlineChoice(v, check));
    check.otherwise(poll);
    this.failedStates(check, failed);
    this.startState = start;
  }

  /** BatchExecuteStatement / ExecuteStatement; API errors retried with backoff; the same ClientToken on each retry. */
  private runTask(v: Variables): sfn.State {
    const batch = this.props.sqls !== undefined;
    const run = new DataApiCall(this, 'Run', {
      stateName: `${this.props.prefix}Run`,
      comment: batch ? 'One Data API batch: every statement in one transaction and one session' : 'One statement (autocommit)',
      action: batch ? 'batchExecuteStatement' : 'executeStatement',
      parameters: {
        ...this.props.target,
        StatementName: this.props.statementName,
        ...(batch ? { Sqls: this.props.sqls } : { Sql: this.props.sql }),
        ...(this.props.clientToken ? { ClientToken: this.props.clientToken } : {}),
      },
      assign: { [v.id]: '{% $states.result.Id %}' },
    });
    return run.addRetry(API_RETRY);
  }

  private describeTask(v: Variables): tasks.CallAwsService {
    const counter = this.props.pollCounter;
    return new DataApiCall(this, 'Describe', {
      stateName: `${this.props.prefix}Describe`,
      action: 'describeStatement',
      parameters: { Id: `{% $${v.id} %}` },
      assign: {
        [v.status]: '{% $states.result.Status %}',
        [v.error]: "{% $exists($states.result.Error) ? $states.result.Error : '' %}",
        ...(counter ? { [counter]: `{% $${counter} + 1 %}` } : {}),
      },
    }).addRetry(API_RETRY) as tasks.CallAwsService;
  }

  /** FINISHED -> next; a transient error with attempts left -> backoff and run again. */
  private checkChoice(v: Variables, run: sfn.State): sfn.Choice {
    const p = this.props.prefix;
    const check = sfn.Choice.jsonata(this, 'Check', { stateName: `${p}Check` });
    check.when(sfn.Condition.jsonata(`{% $${v.status} = 'FINISHED' %}`), this.props.next);
    const attempts = Tokenization.stringifyNumber(this.props.maxAttempts);
    const pollSeconds = Tokenization.stringifyNumber(this.props.pollInterval.toSeconds());
    const backoff = sfn.Wait.jsonata(this, 'Backoff', {
      stateName: `${p}Backoff`,
      comment: 'A transient error rolled the transaction back: run it again',
      time: sfn.WaitTime.seconds(`{% ${pollSeconds} * 3 * $${v.attempt} %}`),
      assign: { [v.attempt]: `{% $${v.attempt} + 1 %}` },
    });
    backoff.next(run);
    const transient = this.props.transientError ?? TRANSIENT_SQL_ERROR;
    check.when(sfn.Condition.jsonata(`{% $${v.status} = 'FAILED' and $contains($${v.error}, ${transient}) and $${v.attempt} < ${attempts} %}`), backoff);
    return check;
  }

  private failedStates(check: sfn.Choice, failed: sfn.Fail): void {
    const v = variables(this.props.prefix);
    check.when(sfn.Condition.jsonata(`{% $${v.status} in ['FAILED', 'ABORTED'] %}`), failed);
  }

  /** Before each poll's verdict: out of time -> cancel, read the final status, and fail unless it FINISHED. */
  private deadlineChoice(v: Variables, check: sfn.Choice): sfn.IChainable {
    const deadline = this.props.deadline;
    if (!deadline) return check;
    const p = this.props.prefix;
    const choice = sfn.Choice.jsonata(this, 'Deadline', { stateName: `${p}Deadline` });
    const timedOut = sfn.Fail.jsonata(this, 'TimedOut', {
      stateName: `${p}TimedOut`,
      error: deadline.error,
      cause: `{% 'Statement ' & $${v.id} & ' ran out of time and was cancelled (last status ' & $${v.status} & ')' %}`,
    });
    const final = new DataApiCall(this, 'FinalStatus', {
      stateName: `${p}FinalStatus`,
      action: 'describeStatement',
      parameters: { Id: `{% $${v.id} %}` },
      assign: { [v.status]: '{% $states.result.Status %}' },
    }).addRetry(API_RETRY);
    final.addCatch(timedOut, { errors: ['States.ALL'] });
    const verdict = sfn.Choice.jsonata(this, 'CancelVerdict', { stateName: `${p}CancelVerdict` })
      .when(sfn.Condition.jsonata(`{% $${v.status} = 'FINISHED' %}`), this.props.next, { comment: 'The statement committed before the cancel reached it' })
      .otherwise(timedOut);
    const cancel = this.cancelTask(v, 'Cancel', final);
    final.next(verdict);
    choice.when(sfn.Condition.jsonata(`{% $${v.status} in ['SUBMITTED', 'PICKED', 'STARTED'] and (${unwrap(deadline.condition)}) %}`), cancel);
    choice.otherwise(check);
    return choice;
  }

  /** CancelStatement; "already finished" and any error after retries go on to `next` (cancelling is best effort). */
  private cancelTask(v: Variables, id: string, next: sfn.IChainable): sfn.State {
    const cancel = new DataApiCall(this, id, {
      stateName: `${this.props.prefix}${id}`, action: 'cancelStatement', parameters: { Id: `{% $${v.id} %}` },
    }).addRetry(API_RETRY);
    cancel.addCatch(next, { errors: ['States.ALL'] });
    cancel.next(next);
    return cancel;
  }

  /**
   * DescribeStatement kept failing after its retries: the batch may still commit or roll back.
   * Cancel it (best effort) and fail with an error that says so; a re-run is safe (idempotent).
   */
  private outcomeUnknown(v: Variables): sfn.State {
    const fail = sfn.Fail.jsonata(this, 'OutcomeUnknown', {
      stateName: `${this.props.prefix}OutcomeUnknown`,
      error: 'Redshift.OutcomeUnknown',
      cause: `{% 'DescribeStatement failed for statement ' & $${v.id} & ' (' & $${v.error} & '): it was cancelled if still running, and may have committed. Running the load again is safe.' %}`,
    });
    return this.cancelTask(v, 'CancelUnknown', fail);
  }
}

interface Variables { attempt: string; id: string; status: string; error: string }

function variables(prefix: string): Variables {
  const p = prefix.charAt(0).toLowerCase() + prefix.slice(1);
  return { attempt: `${p}Attempt`, id: `${p}StatementId`, status: `${p}Status`, error: `${p}Error` };
}

function unwrap(expression: string): string {
  return expression.replace(/^\{%\s*/, '').replace(/\s*%\}$/, '');
}

const API_RETRY: sfn.RetryProps = {
  errors: TRANSIENT_API_ERRORS,
  interval: Duration.seconds(5),
  maxAttempts: 6,
  backoffRate: 2,
  maxDelay: Duration.seconds(120),
  jitterStrategy: sfn.JitterType.FULL,
};

interface DataApiCallProps {
  readonly stateName: string;
  readonly comment?: string;
  readonly action: string;
  readonly parameters: Record<string, unknown>;
  readonly assign?: Record<string, unknown>;
}

/**
 * A Redshift Data API call (CallAwsService, JSONata) that adds no IAM statement of its own:
 * DescribeStatement and CancelStatement have no resource type, and CallAwsService could only
 * grant them on "*" without a condition. The construct that builds the state machine grants the
 * calls instead, scoped to its warehouse and to its own statements.
 */
class DataApiCall extends tasks.CallAwsService {
  constructor(scope: Construct, id: string, props: DataApiCallProps) {
    super(scope, id, {
      queryLanguage: sfn.QueryLanguage.JSONATA,
      stateName: props.stateName,
      comment: props.comment,
      service: 'redshiftdata',
      action: props.action,
      parameters: props.parameters,
      iamResources: ['*'],
      assign: props.assign,
    });
    // deliberate: replaces the unconditioned "*" statement CallAwsService would add (see class comment)
    Object.defineProperty(this, 'taskPolicies', { value: [] as iam.PolicyStatement[] });
  }
}
