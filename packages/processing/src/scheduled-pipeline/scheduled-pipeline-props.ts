import { Duration } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import * as sns from 'aws-cdk-lib/aws-sns';
import { ActivityWork, Precondition } from './pipeline-activity';

/** How an activity's work is retried. */
export interface ActivityRetry {
  /**
   * Retries after the first attempt (0 turns retries off).
   * @default 2
   */
  readonly maxAttempts?: number;
  /**
   * Wait before the first retry (whole seconds, at least 1).
   * @default Duration.minutes(1)
   */
  readonly interval?: Duration;
  /**
   * Multiplier of the wait between retries (1 to 10).
   * @default 2
   */
  readonly backoffRate?: number;
}

/** A named activity of a pipeline (Data Pipeline's activity). */
export interface PipelineActivity {
  /** Unique name (letters, digits, spaces, "-" and "_"; at most 40 characters; used in state names). */
  readonly name: string;
  /** What the activity does. */
  readonly work: ActivityWork;
  /**
   * Activities that must succeed first, in the same run. They are included in every
   * schedule that runs this activity.
   * @default - none
   */
  readonly dependsOn?: string[];
  /**
   * Checks that must pass before the work starts; if one fails, the run fails
   * (and notifies) without running the work.
   * @default - none
   */
  readonly preconditions?: Precondition[];
  /**
   * Retry policy of the work.
   * @default - 2 retries, 1 minute then 2 minutes
   */
  readonly retry?: ActivityRetry;
}

/** A schedule that runs some activities (and what they depend on). */
export interface PipelineSchedule {
  /** Schedule name (1-64 characters: letters, digits, ".", "-" and "_"). */
  readonly name: string;
  /** When to run, e.g. `ScheduleExpression.cron({ minute: '0', hour: '2' })` (UTC unless a time zone is given). */
  readonly expression: scheduler.ScheduleExpression;
  /** Names of the activities to run. */
  readonly activities: string[];
  /**
   * Description of the schedule.
   * @default - the activity names
   */
  readonly description?: string;
  /**
   * Whether the schedule is enabled.
   * @default true
   */
  readonly enabled?: boolean;
}

/** Props for {@link ScheduledPipeline}. */
export interface ScheduledPipelineProps {
  /** The activities. */
  readonly activities: PipelineActivity[];
  /** The schedules (each becomes one state machine started by EventBridge Scheduler). */
  readonly schedules: PipelineSchedule[];
  /**
   * Topic notified when an activity fails or a precondition is not met.
   * @default - no notification (the execution still fails)
   */
  readonly notificationTopic?: sns.ITopic;
  /**
   * Key for the schedules' payloads and the state machine logs.
   * @default - a new DataKey with rotation
   */
  readonly encryptionKey?: kms.IKey;
  /**
   * Retention of the state machines' log groups.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
}
