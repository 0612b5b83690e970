// Internal helper (not exported from the package index): Glue schedules.
import { GlueLimits, Validate } from '@analytics-patterns/core';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { IConstruct } from 'constructs';

/**
 * Checks a schedule with Glue's rules (cron only, UTC, at most every 5 minutes) and returns the
 * expression Glue takes: the same `cron(...)` text (Glue and EventBridge Scheduler share the
 * six-field syntax), or undefined when no schedule is given.
 * @see https://docs.aws.amazon.com/glue/latest/dg/monitor-data-warehouse-schedule.html
 */
export function glueSchedule(scope: IConstruct, prop: string, schedule?: scheduler.ScheduleExpression): string | undefined {
  if (schedule === undefined) return undefined;
  Validate.schedule(scope, prop, schedule, GlueLimits.SCHEDULE);
  return schedule.expressionString;
}
