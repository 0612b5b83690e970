// Internal helper (not re-exported from src/index.ts): checks Glue cron schedules.
import { Validate } from '@analytics-patterns/core';
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

const HELP = 'a Glue cron expression "cron(Minutes Hours Day-of-month Month Day-of-week Year)" with "?" in day-of-month or day-of-week, running at most every 5 minutes';

/** Smallest gap in minutes between runs implied by the minutes field, if it can be told. */
function minuteGap(field: string): number {
  if (field === '*') return 1;
  const step = /^(\*|\d+)\/(\d+)$/.exec(field);
  if (step) return Number(step[2]);
  const list = field.split(',').flatMap((part) => {
    const range = /^(\d+)-(\d+)$/.exec(part);
    if (range) return Array.from({ length: Number(range[2]) - Number(range[1]) + 1 }, (_, i) => Number(range[1]) + i);
    return /^\d+$/.test(part) ? [Number(part)] : [];
  }).sort((a, b) => a - b);
  if (list.length < 2) return 60;
  let gap = 60 - list[list.length - 1] + list[0];
  for (let i = 1; i < list.length; i++) gap = Math.min(gap, list[i] - list[i - 1]);
  return gap;
}

/**
 * Validates a Glue schedule: six cron fields, "?" in one of the two day fields,
 * and no more often than every 5 minutes (Glue rejects shorter intervals; the
 * notes say the same for ETL jobs).
 */
export function validateGlueSchedule(scope: IConstruct, prop: string, schedule?: string): void {
  if (schedule === undefined || Token.isUnresolved(schedule)) return;
  const m = /^cron\((.+)\)$/.exec(schedule.trim());
  const fields = m ? m[1].trim().split(/\s+/) : [];
  Validate.that(scope, fields.length === 6 && (fields[2] === '?' || fields[4] === '?') && !(fields[2] === '?' && fields[4] === '?'), {
    prop, value: schedule, allowed: HELP,
  });
  Validate.that(scope, minuteGap(fields[0]) >= 5, { prop, value: schedule, allowed: HELP });
}
