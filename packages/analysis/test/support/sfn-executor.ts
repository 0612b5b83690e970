/*
 * A small interpreter for the synthesized (JSONata) state machine definitions, so tests execute
 * every path instead of only walking it: Pass, Choice, Wait, Task (with Retry and Catch), Map
 * (inline, sequential), Succeed and Fail, Assign/Output/Arguments evaluated with the `jsonata`
 * package, `$states` bound as Step Functions documents it, and Step Functions' own JSONata
 * functions ($hash, $parse, $partition, $range, $uuid). Time is virtual: Wait states and retry
 * intervals advance a clock. Every history event Step Functions would write is counted.
 *
 * aws-local-stepfunctions runs only JSONPath definitions, hence this driver.
 */
import * as crypto from 'crypto';
// eslint-disable-next-line @typescript-eslint/no-require-imports
import jsonata = require('jsonata');

/** A task failure as Step Functions reports it (`Error` and `Cause`). */
export class TaskError extends Error {
  constructor(public readonly error: string, public readonly causeText: string) {
    super(`${error}: ${causeText}`);
  }
}

/** One service call made by a Task state. */
export interface ServiceCall {
  readonly state: string;
  readonly key: string;
  readonly args: any;
}

export type ServiceHandler = (args: any, call: ServiceCall) => unknown;

export interface ExecuteOptions {
  readonly input: unknown;
  /** Handlers keyed `<service>:<action>` of the aws-sdk integration ARN, e.g. `s3:getObject`. */
  readonly services: Record<string, ServiceHandler>;
  readonly executionId?: string;
  readonly startTime?: Date;
  /** Called on every Wait (after the virtual clock moved), e.g. to let real work progress. */
  readonly onWait?: (state: string, seconds: number) => Promise<void> | void;
  /** Safety stop (state transitions). */
  readonly maxTransitions?: number;
}

export interface ExecutionResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: unknown;
  readonly error?: string;
  readonly cause?: string;
  /** History event types, in order. */
  readonly events: string[];
  /** Names of the states entered, in order (top level and Map iterations). */
  readonly path: string[];
  /** Transitions taken, in order, as {@link transitionId} names them (`LoadCheck -[Choice 1]-> LoadBackoff`). */
  readonly transitions: string[];
  readonly variables: Record<string, unknown>;
  readonly calls: ServiceCall[];
  /** Virtual seconds since the start. */
  readonly elapsedSeconds: number;
}

/** How one state leaves for the next: its `Next`, a Choice rule, a Choice's `Default`, or a Catch. */
export type TransitionKind = 'Next' | 'Default' | `Choice ${number}` | `Catch ${number}`;

/** A transition's name: state, how it leaves, where to. */
export function transitionId(from: string, kind: TransitionKind, to: string): string {
  return `${from} -[${kind}]-> ${to}`;
}

/** Every transition a definition declares (Next, Default, each Choice rule, each Catch), Map item processors included. */
export function declaredTransitions(definition: any): string[] {
  const out: string[] = [];
  const walk = (states: Record<string, any>) => {
    for (const [name, st] of Object.entries(states)) {
      if (st.Next) out.push(transitionId(name, 'Next', st.Next));
      if (st.Default) out.push(transitionId(name, 'Default', st.Default));
      (st.Choices ?? []).forEach((c: any, i: number) => out.push(transitionId(name, `Choice ${i}`, c.Next)));
      (st.Catch ?? []).forEach((c: any, i: number) => out.push(transitionId(name, `Catch ${i}`, c.Next)));
      if (st.Type === 'Map') walk(st.ItemProcessor.States);
    }
  };
  walk(definition.States);
  return out;
}

interface Step { next?: string; output: unknown; kind?: TransitionKind }

class Failure extends Error {
  constructor(public readonly error: string, public readonly causeText: string) {
    super(`${error}: ${causeText}`);
  }
}

/**
 * Parsed expressions by source text: a definition's expressions are parsed once, not at every
 * visit (parsing was a fifth of the run time of the long executions). An Expression is reusable:
 * each evaluate() binds into a fresh frame.
 */
const EXPRESSIONS = new Map<string, jsonata.Expression>();
function compiled(source: string): jsonata.Expression {
  let expression = EXPRESSIONS.get(source);
  if (!expression) EXPRESSIONS.set(source, expression = jsonata(source));
  return expression;
}

const SDK_ARN = /^arn:[a-z-]+:states:::aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/;

/** Executes `definition` (parsed ASL, JSONata) to its end. */
export async function execute(definition: any, options: ExecuteOptions): Promise<ExecutionResult> {
  const run = new Run(options);
  run.event('ExecutionStarted');
  try {
    const output = await run.graph(definition, options.input, run.variables);
    run.event('ExecutionSucceeded');
    return run.result({ status: 'SUCCEEDED', output });
  } catch (e) {
    const f = e instanceof Failure ? e : new Failure('States.Runtime', String(e instanceof Error ? e.stack : e));
    run.event('ExecutionFailed');
    return run.result({ status: 'FAILED', error: f.error, cause: f.causeText });
  }
}

class Run {
  public readonly variables: Record<string, unknown> = {};
  private readonly events: string[] = [];
  private readonly path: string[] = [];
  private readonly taken: string[] = [];
  private readonly calls: ServiceCall[] = [];
  private clockMs = 0;
  private transitions = 0;
  private readonly start: Date;
  private readonly executionId: string;

  constructor(private readonly options: ExecuteOptions) {
    this.start = options.startTime ?? new Date('2026-11-28T10:00:00.000Z');
    this.executionId = options.executionId ?? 'arn:aws:states:eu-west-1:123456789012:execution:Upsert:test-execution';
  }

  public event(type: string): void {
    this.events.push(type);
  }

  public result(r: Partial<ExecutionResult> & { status: 'SUCCEEDED' | 'FAILED' }): ExecutionResult {
    return {
      ...r,
      events: this.events,
      path: this.path,
      transitions: this.taken,
      variables: this.variables,
      calls: this.calls,
      elapsedSeconds: this.clockMs / 1000,
    };
  }

  /** Runs a graph (top level or a Map item processor) from StartAt; returns its output. */
  public async graph(graph: any, input: unknown, vars: Record<string, unknown>): Promise<unknown> {
    let name: string = graph.StartAt;
    let data = input;
    for (;;) {
      if (++this.transitions > (this.options.maxTransitions ?? 100_000)) throw new Failure('Test.TooManyTransitions', name);
      const state = graph.States[name];
      if (!state) throw new Failure('States.Runtime', `no state ${name}`);
      this.path.push(name);
      const step = await this.state(name, state, data, vars);
      if (step.next === undefined) return step.output;
      this.taken.push(transitionId(name, step.kind ?? 'Next', step.next));
      name = step.next;
      data = step.output;
    }
  }

  private async state(name: string, s: any, input: unknown, vars: Record<string, unknown>): Promise<Step> {
    const kind = s.Type as string;
    const ctx = this.context(name, input);
    const states = { input, context: ctx };
    switch (kind) {
      case 'Pass':
      case 'Wait':
      case 'Succeed': {
        this.event(`${kind}StateEntered`);
        if (kind === 'Wait') await this.wait(name, s, states, vars);
        const output = s.Output !== undefined ? await this.eval(s.Output, states, vars) : input;
        await this.assign(s.Assign, states, vars);
        this.event(`${kind}StateExited`);
        return { next: kind === 'Succeed' ? undefined : s.Next, output };
      }
      case 'Choice':
        return this.choice(s, states, vars, input);
      case 'Fail': {
        this.event('FailStateEntered');
        throw new Failure(String(await this.eval(s.Error, states, vars)), String(await this.eval(s.Cause ?? '', states, vars)));
      }
      case 'Task':
        return this.task(name, s, states, vars);
      case 'Map':
        return this.map(name, s, states, vars);
      default:
        throw new Failure('States.Runtime', `unsupported state type ${kind}`);
    }
  }

  private context(name: string, input: unknown): any {
    return {
      Execution: { Id: this.executionId, Name: this.executionId.split(':').pop(), StartTime: this.start.toISOString(), Input: this.options.input },
      State: { Name: name, EnteredTime: new Date(this.start.getTime() + this.clockMs).toISOString() },
      StateMachine: { Id: this.executionId.replace(':execution:', ':stateMachine:').replace(/:[^:]+$/, '') },
      input,
    };
  }

  private async wait(name: string, s: any, states: any, vars: Record<string, unknown>): Promise<void> {
    const seconds = Number(await this.eval(s.Seconds, states, vars));
    if (!Number.isFinite(seconds) || seconds < 0) throw new Failure('States.QueryEvaluationError', `Wait ${name}: ${seconds}`);
    this.clockMs += seconds * 1000;
    await this.options.onWait?.(name, seconds);
  }

  private async choice(s: any, states: any, vars: Record<string, unknown>, input: unknown): Promise<Step> {
    this.event('ChoiceStateEntered');
    for (const rule of s.Choices) {
      if (await this.eval(rule.Condition, states, vars) === true) {
        const output = rule.Output !== undefined ? await this.eval(rule.Output, states, vars) : input;
        await this.assign(rule.Assign, states, vars);
        this.event('ChoiceStateExited');
        return { next: rule.Next, output, kind: `Choice ${s.Choices.indexOf(rule)}` };
      }
    }
    if (s.Default === undefined) throw new Failure('States.NoChoiceMatched', 'no choice matched');
    await this.assign(s.Assign, states, vars);
    this.event('ChoiceStateExited');
    return { next: s.Default, output: input, kind: 'Default' };
  }

  private async task(name: string, s: any, states: any, vars: Record<string, unknown>): Promise<Step> {
    this.event('TaskStateEntered');
    const m = SDK_ARN.exec(s.Resource);
    if (!m) throw new Failure('States.Runtime', `unsupported resource ${s.Resource}`);
    const key = `${m[1]}:${m[2]}`;
    const handler = this.options.services[key];
    return this.withRetries(s, states, vars, async () => {
      const args = await this.eval(s.Arguments ?? {}, states, vars);
      this.event('TaskScheduled');
      this.event('TaskStarted');
      if (!handler) throw new TaskError('Test.NoHandler', `no handler for ${key}`);
      const call = { state: name, key, args };
      this.calls.push(call);
      const result = await handler(args, call);
      this.event('TaskSucceeded');
      return result;
    });
  }

  private async map(name: string, s: any, states: any, vars: Record<string, unknown>): Promise<Step> {
    this.event('MapStateEntered');
    this.event('MapStateStarted');
    return this.withRetries(s, states, vars, async () => {
      const items = await this.eval(s.Items, states, vars);
      if (!Array.isArray(items)) throw new TaskError('States.QueryEvaluationError', `Map ${name}: items are not an array`);
      const results: unknown[] = [];
      for (const item of items) {
        this.event('MapIterationStarted');
        results.push(await this.graph(s.ItemProcessor, item, { ...vars }));
        this.event('MapIterationSucceeded');
      }
      this.event('MapStateSucceeded');
      return results;
    });
  }

  /** Runs `attempt`, applying Retry and Catch as Step Functions does; then Assign and Output. */
  private async withRetries(
    s: any, states: any, vars: Record<string, unknown>, attempt: () => Promise<unknown>,
  ): Promise<Step> {
    const retried = new Map<any, number>();
    for (;;) {
      let failure: Failure;
      try {
        const result = await attempt();
        const done = { ...states, result };
        const output = s.Output !== undefined ? await this.eval(s.Output, done, vars) : result;
        await this.assign(s.Assign, done, vars);
        this.event(`${s.Type}StateExited`);
        return { next: s.End ? undefined : s.Next, output };
      } catch (e) {
        failure = e instanceof TaskError ? new Failure(e.error, e.causeText) : e instanceof Failure ? e : new Failure('States.TaskFailed', String(e));
        this.event(s.Type === 'Map' ? 'MapStateFailed' : 'TaskFailed');
      }
      const retrier = (s.Retry ?? []).find((r: any) => matches(r.ErrorEquals, failure.error));
      const count = retried.get(retrier) ?? 0;
      if (retrier && count < (retrier.MaxAttempts ?? 3)) {
        retried.set(retrier, count + 1);
        const delay = Math.min((retrier.IntervalSeconds ?? 1) * Math.pow(retrier.BackoffRate ?? 2, count), retrier.MaxDelaySeconds ?? Infinity);
        this.clockMs += delay * 1000;
        continue;
      }
      const catchIndex = (s.Catch ?? []).findIndex((c: any) => matches(c.ErrorEquals, failure.error));
      const catcher = catchIndex >= 0 ? s.Catch[catchIndex] : undefined;
      if (!catcher) throw failure;
      const errorOutput = { Error: failure.error, Cause: failure.causeText };
      const caught = { ...states, errorOutput };
      const output = catcher.Output !== undefined ? await this.eval(catcher.Output, caught, vars) : errorOutput;
      await this.assign(catcher.Assign, caught, vars);
      this.event(`${s.Type}StateExited`);
      return { next: catcher.Next, output, kind: `Catch ${catchIndex}` };
    }
  }

  /** Evaluates every Assign value first, then assigns them all (Step Functions' order). */
  private async assign(assign: Record<string, unknown> | undefined, states: any, vars: Record<string, unknown>): Promise<void> {
    if (!assign) return;
    const values: Array<[string, unknown]> = [];
    for (const [k, v] of Object.entries(assign)) values.push([k, await this.eval(v, states, vars)]);
    for (const [k, v] of values) vars[k] = v;
  }

  /** Evaluates JSONata `{% %}` strings anywhere inside `value`. */
  public async eval(value: unknown, states: any, vars: Record<string, unknown>): Promise<unknown> {
    if (typeof value === 'string') {
      const m = /^\{%([\s\S]*)%\}$/.exec(value);
      if (!m) return value;
      try {
        const result = await compiled(m[1]).evaluate({}, { ...vars, states, ...STEP_FUNCTIONS_FUNCTIONS });
        return normalize(result);
      } catch (e: any) {
        throw new Failure('States.QueryEvaluationError', `${e?.message ?? e} in ${value.slice(0, 200)}`);
      }
    }
    if (Array.isArray(value)) return Promise.all(value.map((v) => this.eval(v, states, vars)));
    if (value && typeof value === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) out[k] = await this.eval(v, states, vars);
      return out;
    }
    return value;
  }
}

function matches(errorEquals: string[], error: string): boolean {
  return errorEquals.includes(error) || (errorEquals.includes('States.ALL') && error !== 'States.DataLimitExceeded')
    || (errorEquals.includes('States.TaskFailed') && !error.startsWith('States.'));
}

/** JSONata sequences are arrays with extra flags: make them plain JSON, as Step Functions does. */
function normalize(v: unknown): unknown {
  return v === undefined ? null : JSON.parse(JSON.stringify(v));
}

/** The JSONata functions Step Functions adds. */
const STEP_FUNCTIONS_FUNCTIONS = {
  hash: (data: string, algorithm: string) => {
    const alg = ({ 'MD5': 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' } as Record<string, string>)[algorithm];
    if (!alg) throw new Error(`unsupported hash algorithm ${algorithm}`);
    return crypto.createHash(alg).update(String(data)).digest('hex');
  },
  parse: (text: string) => JSON.parse(text),
  partition: (array: unknown[], size: number) => {
    const out: unknown[][] = [];
    for (let i = 0; i < array.length; i += size) out.push(array.slice(i, i + size));
    return out;
  },
  range: (start: number, end: number, step: number) => {
    const out: number[] = [];
    for (let i = start; step > 0 ? i <= end : i >= end; i += step) out.push(i);
    return out;
  },
  uuid: () => crypto.randomUUID(),
};
