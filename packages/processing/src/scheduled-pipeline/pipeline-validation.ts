// Internal helper of ScheduledPipeline (not exported from the package index): prop checks.
import { SchedulerLimits, StepFunctionsLimits, TimeUnit, Validate } from '@analytics-patterns/core';
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { PipelineActivity, ScheduledPipelineProps } from './scheduled-pipeline-props';

const ACTIVITY_NAME = '^[A-Za-z0-9 _-]{1,40}$';
/** Activities and schedules of one pipeline: this library's bounds (one state machine per schedule). */
const MAX_ACTIVITIES = 100;
const MAX_SCHEDULES = 50;

/** Checks the props and returns the activities by name. */
export function validatePipelineProps(scope: IConstruct, props: ScheduledPipelineProps): Map<string, PipelineActivity> {
  Validate.count(scope, 'activities', 1, MAX_ACTIVITIES, props.activities);
  Validate.count(scope, 'schedules', 1, MAX_SCHEDULES, props.schedules);
  const names = props.activities.map((a) => a.name);
  Validate.unique(scope, 'activities[].name', names);
  const byName = new Map(props.activities.map((a) => [a.name, a]));
  props.activities.forEach((a, i) => validateActivity(scope, a, i, byName));
  validateNoCycles(scope, byName);
  Validate.unique(scope, 'schedules[].name', props.schedules.map((s) => s.name));
  props.schedules.forEach((s, i) => {
    Validate.resourceName(scope, `schedules[${i}].name`, s.name, SchedulerLimits.SCHEDULE_NAME);
    Validate.schedule(scope, `schedules[${i}].expression`, s.expression, SchedulerLimits.SCHEDULE);
    const maxDescription = SchedulerLimits.DESCRIPTION_LENGTH.max;
    Validate.that(scope, s.description === undefined || Token.isUnresolved(s.description) || s.description.length <= maxDescription, {
      prop: `schedules[${i}].description`, value: s.description, allowed: `at most ${maxDescription} characters`,
    });
    Validate.count(scope, `schedules[${i}].activities`, 1, MAX_ACTIVITIES, s.activities);
    s.activities.forEach((n, j) => Validate.that(scope, byName.has(n), { prop: `schedules[${i}].activities[${j}]`, value: n, allowed: `an activity name (${names.join(', ')})` }));
  });
  return byName;
}

function validateActivity(scope: IConstruct, a: PipelineActivity, i: number, byName: Map<string, PipelineActivity>): void {
  Validate.that(scope, !Token.isUnresolved(a.name), { prop: `activities[${i}].name`, value: a.name, allowed: 'a name known at synth time (it names the states of the activity)' });
  Validate.pattern(scope, `activities[${i}].name`, ACTIVITY_NAME, 'letters, digits, spaces, "-" and "_", at most 40 characters', a.name);
  const others = [...byName.keys()].filter((n) => n !== a.name);
  (a.dependsOn ?? []).forEach((d, j) => {
    Validate.that(scope, byName.has(d) && d !== a.name, { prop: `activities[${i}].dependsOn[${j}]`, value: d, allowed: `the name of another activity (${others.join(', ')})` });
  });
  a.work._validate(scope, `activities[${i}].work`);
  const r = a.retry;
  if (!r) return;
  Validate.number(scope, r.maxAttempts, { prop: `activities[${i}].retry.maxAttempts`, ...StepFunctionsLimits.RETRY_MAX_ATTEMPTS, unit: undefined });
  Validate.duration(scope, r.interval, { prop: `activities[${i}].retry.interval`, in: TimeUnit.SECONDS, ...StepFunctionsLimits.RETRY_INTERVAL_SECONDS });
  Validate.number(scope, r.backoffRate, { prop: `activities[${i}].retry.backoffRate`, ...StepFunctionsLimits.RETRY_BACKOFF_RATE });
}

function validateNoCycles(scope: IConstruct, byName: Map<string, PipelineActivity>): void {
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]) => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      Validate.fail(scope, { prop: 'activities[].dependsOn', value: [...path.slice(path.indexOf(name)), name].join(' -> '), allowed: 'dependencies without cycles' });
    }
    state.set(name, 'visiting');
    for (const d of byName.get(name)?.dependsOn ?? []) visit(d, [...path, name]);
    state.set(name, 'done');
  };
  [...byName.keys()].forEach((n) => visit(n, []));
}
