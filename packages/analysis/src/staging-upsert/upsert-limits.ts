import { Limit, RedshiftLimits, StepFunctionsLimits } from '@analytics-patterns/core';

/**
 * The budgets of a staging-table upsert, derived from AWS limits kept in core
 * (`StepFunctionsLimits.HISTORY_EVENTS` and `STATE_PAYLOAD_BYTES`, `RedshiftLimits.DATA_API_*`,
 * `S3Limits.KEY_BYTES`), and the one AWS limit core has no table for (S3 version ids). Each number
 * is checked at synth where its inputs are known, and at run time by the state machine where they
 * are not (tokens, manifests).
 */
export class UpsertLimits {
  /**
   * Attempts of one load batch after transient errors (a bound of this library: each retry
   * waits with backoff, and the whole execution must stay within `TIMEOUT_SECONDS`).
   */
  public static readonly MAX_ATTEMPTS: Limit = { min: 1, max: 10, integer: true };

  /**
   * Seconds between two DescribeStatement polls (a bound of this library: longer waits only
   * delay the end of a finished load; whole seconds because a Wait state counts in seconds).
   */
  public static readonly POLL_INTERVAL_SECONDS: Limit = { min: 1, max: 300, unit: 'seconds', integer: true };

  /**
   * Seconds one execution may run: at least a minute, at most the 8 hours a Data API
   * `ClientToken` is honoured (`RedshiftLimits.DATA_API_CLIENT_TOKEN_SECONDS`).
   */
  public static readonly TIMEOUT_SECONDS: Limit = { min: 60, max: RedshiftLimits.DATA_API_CLIENT_TOKEN_SECONDS, unit: 'seconds', integer: true };

  /**
   * Length of an S3 version id (at most 1,024 bytes).
   * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/versioning-workflows.html
   */
  public static readonly S3_VERSION_ID_BYTES = 1024;

  /**
   * Data files one manifest may list (this library's budget, not an AWS quota): each file costs
   * one HeadObject inside a Map state (7 history events), so 500 files use 3,500 of the 25,000
   * history events and leave the rest to polling.
   */
  public static readonly MANIFEST_FILES = 500;

  /**
   * Characters of a manifest body (this library's budget): the body is a state result and then,
   * rewritten with sizes, the body of a PutObject call; both must stay under the 256 KiB state
   * payload quota with room for the rest of the state.
   */
  public static readonly MANIFEST_CHARS = 200_000;

  /**
   * Time the state machine keeps for cancelling a statement that ran out of time and reading its
   * final status, before the execution's own timeout (seconds).
   */
  public static readonly CANCEL_MARGIN_SECONDS = 120;

  /** History events of one poll: Wait (2), DescribeStatement task (5), two Choice states (2 + 2). */
  public static readonly EVENTS_PER_POLL = 11;

  /** History events of one data file: Map iteration (2) and its HeadObject task (5). */
  public static readonly EVENTS_PER_FILE = 7;

  /**
   * History events of everything else in a run without retries, at its longest: start and end,
   * the key and manifest checks, reading and freezing the manifest, submitting the DDL and the
   * load batch, cancelling and reading the final status (the executor test measures 47).
   */
  public static readonly EVENTS_BASE = 50;

  /** History events of one retried call (a Retry's failed attempt: TaskScheduled, TaskStarted, TaskFailed). */
  public static readonly EVENTS_PER_RETRY = 3;

  /**
   * Retried calls one execution can absorb at its worst (the largest manifest, polled to the
   * bound): any mix of S3 and Data API retries. This is a budget, not a worst case: every call
   * of a run may be retried (5 times for S3, 6 for the Data API), which no history quota could
   * hold; a run that spends more fails with Step Functions' history limit and is reported like
   * any failed load. A batch run again after a transient Redshift error costs 7 events (Backoff,
   * Run), about 2.3 retried calls, and its polls count in `MAX_POLLS`.
   */
  public static readonly RETRY_BUDGET = 250;

  /** History events kept outside files and polls: the base and the retry budget (800). */
  public static readonly EVENTS_FIXED = UpsertLimits.EVENTS_BASE + UpsertLimits.RETRY_BUDGET * UpsertLimits.EVENTS_PER_RETRY;

  /**
   * Polls (DescribeStatement calls) one execution may make, from the history quota: what is left
   * after the fixed events and the largest manifest. The state machine stops polling (cancels the
   * statement and fails) when it reaches this count, whatever the poll interval and timeout are.
   */
  public static readonly MAX_POLLS = Math.floor(
    (StepFunctionsLimits.HISTORY_EVENTS - UpsertLimits.EVENTS_FIXED - UpsertLimits.MANIFEST_FILES * UpsertLimits.EVENTS_PER_FILE)
    / UpsertLimits.EVENTS_PER_POLL);

  private constructor() {}
}
