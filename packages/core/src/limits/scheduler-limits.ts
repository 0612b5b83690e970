import { Limit, NameRule } from '../validation/limit';
import { ScheduleRules } from '../validation/schedule';

/** Limits of Amazon EventBridge Scheduler schedules. */
export class SchedulerLimits {
  /**
   * What Scheduler accepts as a schedule: `cron(...)` and `rate(...)` down to one minute,
   * one-time `at(...)`, in any IANA time zone.
   * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
   */
  public static readonly SCHEDULE: ScheduleRules = { allowRate: true, allowAt: true, minimumIntervalMinutes: 1, utcOnly: false };

  /**
   * Schedule name: 1-64 letters, digits, `.`, `-` and `_`.
   * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
   */
  public static readonly SCHEDULE_NAME: NameRule = {
    pattern: '^[0-9a-zA-Z._-]{1,64}$',
    description: '1-64 letters, digits, ".", "-" and "_"',
    minLength: 1,
    maxLength: 64,
  };

  /**
   * Schedule description: at most 512 characters.
   * @see https://docs.aws.amazon.com/scheduler/latest/APIReference/API_CreateSchedule.html
   */
  public static readonly DESCRIPTION_LENGTH: Limit = { min: 0, max: 512, unit: 'characters', integer: true };

  private constructor() {}
}
