/**
 * Checks of EventBridge-style schedule expressions (`cron(...)`, `rate(...)`, `at(...)`),
 * shared by every construct that runs something on a schedule. Pure functions: they
 * return a problem description, or undefined when the expression is valid.
 *
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 * @see https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html
 */

/** What a construct accepts from a schedule. */
export interface ScheduleRules {
  /**
   * Whether `rate(...)` is accepted (Glue triggers and crawlers take cron only).
   * @default true
   */
  readonly allowRate?: boolean;
  /**
   * Whether one-time `at(...)` is accepted.
   * @default false
   */
  readonly allowAt?: boolean;
  /**
   * Shortest interval between two runs, in minutes, that the service accepts (or that
   * the construct supports).
   * @default 1
   */
  readonly minimumIntervalMinutes?: number;
  /**
   * Whether the schedule must run in UTC (Glue triggers have no time zone).
   * @default false
   */
  readonly utcOnly?: boolean;
}

const MONTHS = ['JAN', 'FEB', 'MAR', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAYS = ['SUN', 'MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT'];

interface Field {
  readonly name: string;
  readonly min: number;
  readonly max: number;
  readonly names?: string[];
  /** extra single tokens allowed in this field */
  readonly special?: RegExp;
}

const FIELDS: Field[] = [
  { name: 'minutes', min: 0, max: 59 },
  { name: 'hours', min: 0, max: 23 },
  { name: 'day-of-month', min: 1, max: 31, special: /^(\?|L|LW|\d{1,2}W)$/ },
  { name: 'month', min: 1, max: 12, names: MONTHS },
  { name: 'day-of-week', min: 1, max: 7, names: DAYS, special: /^(\?|L|[1-7]L|[A-Z]{3}L|[1-7]#[1-5]|[A-Z]{3}#[1-5])$/ },
  { name: 'year', min: 1970, max: 2199 },
];

function value(token: string, f: Field): number | undefined {
  if (/^\d+$/.test(token)) return Number(token);
  const i = f.names?.indexOf(token.toUpperCase()) ?? -1;
  return i >= 0 ? i + f.min : undefined;
}

/** The values one cron field selects, or a problem. */
function expand(text: string, f: Field): number[] | string {
  if (f.special?.test(text.toUpperCase())) return [];
  const values: number[] = [];
  for (const part of text.split(',')) {
    const m = /^(\*|[A-Za-z0-9]+(?:-[A-Za-z0-9]+)?)(?:\/(\d+))?$/.exec(part);
    if (!m) return `${f.name} field "${text}" is not a value, range, list or increment`;
    let lo = f.min;
    let hi = f.max;
    if (m[1] !== '*') {
      const [a, b] = m[1].split('-');
      const va = value(a, f);
      const vb = b === undefined ? (m[2] ? f.max : va) : value(b, f);
      if (va === undefined || vb === undefined) return `${f.name} field "${text}" has an unknown value`;
      lo = va;
      hi = vb;
    }
    const step = m[2] === undefined ? 1 : Number(m[2]);
    if (lo < f.min || hi > f.max || lo > hi || step < 1) return `${f.name} field "${text}" is outside ${f.min}-${f.max}`;
    for (let v = lo; v <= hi; v += step) values.push(v);
  }
  return values;
}

/** Shortest gap, in minutes, between two minute-of-hour values (wrapping at the hour). */
function shortestGap(minutes: number[]): number {
  const sorted = [...new Set(minutes)].sort((a, b) => a - b);
  if (sorted.length < 2) return 60;
  let gap = 60 - sorted[sorted.length - 1] + sorted[0];
  for (let i = 1; i < sorted.length; i++) gap = Math.min(gap, sorted[i] - sorted[i - 1]);
  return gap;
}

function cronProblem(body: string, rules: ScheduleRules): string | undefined {
  const parts = body.trim().split(/\s+/);
  if (parts.length !== 6) return `cron(...) needs 6 fields (minutes hours day-of-month month day-of-week year), got ${parts.length}`;
  const expanded: number[][] = [];
  for (let i = 0; i < 6; i++) {
    const r = expand(parts[i], FIELDS[i]);
    if (typeof r === 'string') return r;
    expanded.push(r);
  }
  const dom = parts[2];
  const dow = parts[4];
  if ((dom === '?') === (dow === '?')) return 'exactly one of day-of-month and day-of-week must be "?"';
  const min = rules.minimumIntervalMinutes ?? 1;
  const hourly = parts[1] === '*' || parts[1].includes('/') || parts[1].includes(',') || parts[1].includes('-');
  const gap = expanded[0].length > 1 ? shortestGap(expanded[0]) : (hourly ? 60 : 24 * 60);
  if (gap < min) return `it runs every ${gap} minute(s); the shortest interval allowed is ${min} minutes`;
  return undefined;
}

function rateProblem(body: string, rules: ScheduleRules): string | undefined {
  const m = /^(\d+) (minute|minutes|hour|hours|day|days)$/.exec(body.trim());
  if (!m) return 'rate(...) must be "rate(<n> minute|minutes|hour|hours|day|days)"';
  const n = Number(m[1]);
  if (n < 1) return 'rate(...) needs a positive whole number';
  if ((n === 1) !== !m[2].endsWith('s')) return `rate(${n} ${m[2]}) must use the ${n === 1 ? 'singular' : 'plural'} unit`;
  const minutes = n * (m[2].startsWith('minute') ? 1 : m[2].startsWith('hour') ? 60 : 1440);
  const min = rules.minimumIntervalMinutes ?? 1;
  if (minutes < min) return `it runs every ${minutes} minute(s); the shortest interval allowed is ${min} minutes`;
  return undefined;
}

/** Whether `zone` is an IANA time zone name this runtime knows. */
export function isIanaTimeZone(zone: string): boolean {
  if (zone === 'UTC' || zone === 'Etc/UTC') return true;
  try {
    return (Intl as any).supportedValuesOf('timeZone').includes(zone)
      || new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone === zone;
  } catch {
    return false;
  }
}

/**
 * The problem with a schedule expression (`cron(...)`, `rate(...)`, `at(...)`) and time
 * zone under `rules`, or undefined when the service would accept it.
 */
export function scheduleProblem(expression: string, timeZone: string | undefined, rules: ScheduleRules = {}): string | undefined {
  if (timeZone !== undefined) {
    if (!isIanaTimeZone(timeZone)) return `time zone ${JSON.stringify(timeZone)} is not an IANA time zone name (e.g. Europe/Paris)`;
    if (rules.utcOnly && timeZone !== 'UTC' && timeZone !== 'Etc/UTC') return 'this service runs schedules in UTC only';
  }
  const m = /^(cron|rate|at)\((.*)\)$/.exec(expression.trim());
  if (!m) return 'expected cron(...), rate(...) or at(...)';
  if (m[1] === 'cron') return cronProblem(m[2], rules);
  if (m[1] === 'rate') return (rules.allowRate ?? true) ? rateProblem(m[2], rules) : 'rate(...) is not accepted here: use cron(...)';
  if (!(rules.allowAt ?? false)) return 'one-time at(...) schedules are not accepted here';
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(m[2]) ? undefined : 'at(...) must be at(yyyy-mm-ddThh:mm:ss)';
}
