/*
 * Internal (not re-exported): Amazon States Language (JSONata) states that run SQL through
 * the Redshift Data API with Step Functions' native AWS SDK integration, poll the statement
 * until it ends, retry transient errors, and fail the execution with Redshift's error.
 */

/** aws-sdk integration ARNs of the Redshift Data API. */
export const DATA_API = {
  batchExecuteStatement: 'arn:aws:states:::aws-sdk:redshiftdata:batchExecuteStatement',
  executeStatement: 'arn:aws:states:::aws-sdk:redshiftdata:executeStatement',
  describeStatement: 'arn:aws:states:::aws-sdk:redshiftdata:describeStatement',
};

/** Data API errors worth retrying: throttling and capacity, not bad SQL or permissions. */
export const TRANSIENT_API_ERRORS = [
  'RedshiftData.ActiveStatementsExceededException',
  'RedshiftData.ActiveSessionsExceededException',
  'RedshiftData.InternalServerException',
  'RedshiftData.ThrottlingException',
];

/**
 * Redshift errors (in DescribeStatement's `Error`) after which running the whole batch again
 * can succeed: a concurrent transaction won (serializable isolation violation, error 1023),
 * a lock wait or a dropped connection. Anything else (bad data, bad SQL) fails at once.
 */
export const TRANSIENT_SQL_ERROR = '/(serializable isolation violation|error:\\s*1023|deadlock|lock timeout|connection (reset|closed|refused)|could not connect)/i';

export interface DataApiStatesOptions {
  /** Prefix of the state names, e.g. `Load`. */
  readonly prefix: string;
  /** Target and credentials: ClusterIdentifier or WorkgroupName, Database, SecretArn. */
  readonly target: Record<string, string>;
  /** JSONata expression (with `{% %}`) for the `Sqls` array of a batch. */
  readonly sqlsExpression?: string;
  /** One statement (ExecuteStatement) instead of a batch. */
  readonly sql?: string;
  /** Name given to the statement (shows in SYS_QUERY_HISTORY / Data API ListStatements). */
  readonly statementName: string;
  /** Seconds between DescribeStatement polls. */
  readonly pollSeconds: number;
  /** Runs of the whole statement/batch after a transient Redshift error (including the first). */
  readonly maxAttempts: number;
  /** State to go to when the statement FINISHED. */
  readonly next: string;
}

const apiRetry = [{
  ErrorEquals: TRANSIENT_API_ERRORS,
  IntervalSeconds: 5,
  MaxAttempts: 6,
  BackoffRate: 2,
  MaxDelaySeconds: 120,
  JitterStrategy: 'FULL',
}];

/** The states, keyed by name; the entry state is `<prefix>Start`. */
export function dataApiStates(o: DataApiStatesOptions): Record<string, any> {
  const p = o.prefix;
  const batch = o.sqlsExpression !== undefined;
  return {
    [`${p}Start`]: {
      Type: 'Pass',
      Assign: { [`${lc(p)}Attempt`]: 1 },
      Next: `${p}Run`,
    },
    [`${p}Run`]: {
      Type: 'Task',
      Comment: batch ? 'One Data API batch: every statement in one transaction and one session' : 'One statement (autocommit)',
      Resource: batch ? DATA_API.batchExecuteStatement : DATA_API.executeStatement,
      Arguments: {
        ...o.target,
        StatementName: o.statementName,
        ...(batch ? { Sqls: o.sqlsExpression } : { Sql: o.sql }),
      },
      Assign: { [`${lc(p)}StatementId`]: '{% $states.result.Id %}' },
      Retry: apiRetry,
      Next: `${p}Wait`,
    },
    [`${p}Wait`]: {
      Type: 'Wait',
      Seconds: o.pollSeconds,
      Next: `${p}Describe`,
    },
    [`${p}Describe`]: {
      Type: 'Task',
      Resource: DATA_API.describeStatement,
      Arguments: { Id: `{% $${lc(p)}StatementId %}` },
      Assign: {
        [`${lc(p)}Status`]: '{% $states.result.Status %}',
        [`${lc(p)}Error`]: "{% $exists($states.result.Error) ? $states.result.Error : '' %}",
      },
      Retry: apiRetry,
      Next: `${p}Check`,
    },
    [`${p}Check`]: {
      Type: 'Choice',
      Choices: [
        { Condition: `{% $${lc(p)}Status = 'FINISHED' %}`, Next: o.next },
        {
          Condition: `{% $${lc(p)}Status = 'FAILED' and $contains($${lc(p)}Error, ${TRANSIENT_SQL_ERROR}) and $${lc(p)}Attempt < ${o.maxAttempts} %}`,
          Next: `${p}Backoff`,
        },
        { Condition: `{% $${lc(p)}Status in ['FAILED', 'ABORTED'] %}`, Next: `${p}Failed` },
      ],
      Default: `${p}Wait`,
    },
    [`${p}Backoff`]: {
      Type: 'Wait',
      Comment: 'A transient Redshift error rolled the transaction back: run the whole batch again',
      Seconds: `{% ${o.pollSeconds * 3} * $${lc(p)}Attempt %}`,
      Assign: { [`${lc(p)}Attempt`]: `{% $${lc(p)}Attempt + 1 %}` },
      Next: `${p}Run`,
    },
    [`${p}Failed`]: {
      Type: 'Fail',
      Error: 'Redshift.StatementFailed',
      Cause: `{% 'Statement ' & $${lc(p)}StatementId & ' ' & $${lc(p)}Status & ': ' & $${lc(p)}Error %}`,
    },
  };
}

function lc(s: string): string {
  return s.charAt(0).toLowerCase() + s.slice(1);
}
