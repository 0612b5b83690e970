/**
 * Runs a JSONata state machine definition (top-level states: Pass, Task, Choice, Wait, Succeed,
 * Fail) with mocked task results, evaluating every `{% %}` expression with the jsonata engine
 * the way Step Functions documents it: `$states.input`, `$states.context`, `$states.result`
 * (Task Assign/Output), `$states.errorOutput` (Catch) and variables from `Assign`.
 * aws-local-stepfunctions runs JSONPath only, hence this small runner for the tests.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
import jsonata = require('jsonata');

/** What a mocked task does: return its result, or throw `{ Error, Cause }`. */
export type TaskMock = (args: any) => any;

/** The outcome of one run. */
export interface RunResult {
  readonly status: 'SUCCEEDED' | 'FAILED';
  readonly output?: any;
  readonly error?: string;
  /** The Fail state's cause (evaluated when it is an expression). */
  readonly cause?: string;
  /** State names in the order they ran. */
  readonly path: string[];
  /** The evaluated Arguments of every task, in order. */
  readonly calls: Array<{ state: string; args: any }>;
}

const EXPR = /^\{%([\s\S]*)%\}$/;

async function evaluate(value: any, bindings: Record<string, any>): Promise<any> {
  if (typeof value === 'string') {
    const m = EXPR.exec(value);
    return m ? jsonata(m[1]).evaluate({}, bindings) : value;
  }
  if (Array.isArray(value)) return Promise.all(value.map((v) => evaluate(v, bindings)));
  if (value && typeof value === 'object') {
    const out: Record<string, any> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await evaluate(v, bindings);
    return out;
  }
  return value;
}

async function assign(state: any, vars: Record<string, any>, bindings: Record<string, any>): Promise<void> {
  if (!state.Assign) return;
  const values = await evaluate(state.Assign, bindings);
  Object.assign(vars, values);
}

/** Input, context object and task mocks (by state name) of a run. */
export interface RunOptions {
  readonly input?: any;
  readonly context?: any;
  readonly tasks?: Record<string, TaskMock>;
}

/** Where a state leads: the next state and its input, or the end of the run. */
type Step = { next: string; input: any } | { end: Omit<RunResult, 'path' | 'calls'> };

/** The mutable state of one run. */
interface Run {
  readonly vars: Record<string, any>;
  readonly calls: Array<{ state: string; args: any }>;
  readonly options: RunOptions;
}

/** Runs `definition` from its StartAt with `input`, `context` and task mocks by state name. */
export async function runJsonata(definition: any, options: RunOptions = {}): Promise<RunResult> {
  const run: Run = { vars: {}, calls: [], options };
  const path: string[] = [];
  let input = options.input ?? {};
  let name: string | undefined = definition.StartAt;
  while (name !== undefined) {
    if (path.length > 500) throw new Error(`more than 500 steps: ${path.join(' > ')}`);
    const state = definition.States[name];
    if (!state) throw new Error(`transition to unknown state ${name}`);
    path.push(name);
    const step = await runState(run, name, state, input);
    if ('end' in step) return { ...step.end, path, calls: run.calls };
    ({ next: name, input } = step);
  }
  return { status: 'SUCCEEDED', output: input, path, calls: run.calls };
}

async function runState(run: Run, name: string, state: any, input: any): Promise<Step> {
  const states = { input, context: run.options.context ?? {} };
  const bindings = { ...run.vars, states };
  const output = async (value: any, b = bindings) => (state.Output === undefined ? value : evaluate(state.Output, b));
  switch (state.Type) {
    case 'Succeed':
      return { end: { status: 'SUCCEEDED', output: await output(input) } };
    case 'Fail':
      return { end: { status: 'FAILED', error: state.Error, cause: await evaluate(state.Cause, bindings) } };
    case 'Wait':
    case 'Pass':
      await assign(state, run.vars, bindings);
      return state.End ? { end: { status: 'SUCCEEDED', output: await output(input) } } : { next: state.Next, input: await output(input) };
    case 'Choice': {
      for (const c of state.Choices) {
        if (await evaluate(c.Condition, bindings)) return { next: c.Next, input };
      }
      return state.Default === undefined ? { end: { status: 'FAILED', error: 'States.NoChoiceMatched' } } : { next: state.Default, input };
    }
    case 'Task':
      return runTask(run, name, state, states);
    default:
      throw new Error(`state type ${state.Type} is not supported by runJsonata`);
  }
}

async function runTask(run: Run, name: string, state: any, states: { input: any; context: any }): Promise<Step> {
  const args = await evaluate(state.Arguments ?? {}, { ...run.vars, states });
  run.calls.push({ state: name, args });
  const mock = run.options.tasks?.[name];
  if (!mock) throw new Error(`no mock for task ${name}`);
  let result: any;
  try {
    result = mock(args);
  } catch (e: any) {
    const error = e?.Error ?? 'States.TaskFailed';
    const catcher = (state.Catch ?? []).find((c: any) => c.ErrorEquals.includes(error) || c.ErrorEquals.includes('States.ALL'));
    if (!catcher) return { end: { status: 'FAILED', error } };
    const errorBindings = { ...run.vars, states: { ...states, errorOutput: { Error: error, Cause: e?.Cause ?? '' } } };
    await assign(catcher, run.vars, errorBindings);
    const caught = catcher.Output === undefined ? errorBindings.states.errorOutput : await evaluate(catcher.Output, errorBindings);
    return { next: catcher.Next, input: caught };
  }
  const resultBindings = { ...run.vars, states: { ...states, result } };
  await assign(state, run.vars, resultBindings);
  const out = state.Output === undefined ? result : await evaluate(state.Output, resultBindings);
  return state.End ? { end: { status: 'SUCCEEDED', output: out } } : { next: state.Next, input: out };
}
