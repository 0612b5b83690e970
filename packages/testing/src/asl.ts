/**
 * Step Functions helpers for tests: read the state machine definitions of a
 * synthesized template as plain Amazon States Language (CloudFormation references
 * become readable placeholders), validate them with the asl-validator package, and
 * walk their paths (e.g. "every path after the cluster exists terminates it").
 */
import { Template } from 'aws-cdk-lib/assertions';

type AslValidator = (definition: unknown, options?: { checkPaths?: boolean; checkArn?: boolean }) => {
  isValid: boolean;
  errorsText: (separator?: string) => string;
};
// asl-validator 4 ships no type declarations
// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator: AslValidator = require('asl-validator');

const PSEUDO: Record<string, string> = {
  'AWS::Partition': 'aws',
  'AWS::Region': 'eu-west-1',
  'AWS::AccountId': '123456789012',
  'AWS::URLSuffix': 'amazonaws.com',
};

/**
 * Renders one part of a Fn::Join as plain text: pseudo parameters become the test
 * environment's values, `{ Ref: X }` becomes `REF_X` and `{ Fn::GetAtt: [X, Y] }` becomes `ATT_X_Y`.
 */
function renderPart(part: unknown): string {
  if (typeof part === 'string') return part;
  if (part && typeof part === 'object') {
    const o = part as Record<string, any>;
    if (o.Ref !== undefined) return PSEUDO[o.Ref] ?? `REF_${o.Ref}`;
    if (o['Fn::GetAtt'] !== undefined) return `ATT_${[].concat(o['Fn::GetAtt']).join('_')}`;
  }
  return 'TOKEN';
}

/** The definitions (parsed ASL) of every state machine in the template, by logical id. */
export function stateMachineDefinitions(template: Template): Record<string, any> {
  const result: Record<string, any> = {};
  for (const [id, res] of Object.entries(template.findResources('AWS::StepFunctions::StateMachine'))) {
    const ds = (res as any).Properties.DefinitionString;
    const text = typeof ds === 'string' ? ds : ds['Fn::Join'][1].map(renderPart).join('');
    // a number token (e.g. a Number parameter) sits unquoted in the definition: read it as a string
    result[id] = JSON.parse(text.replace(/([:,[]\s*)((?:REF|ATT)_[A-Za-z0-9_.]+)(?=\s*[,}\]])/g, '$1"$2"'));
  }
  return result;
}

/** The only state machine definition of the template whose logical id contains `match`. */
export function stateMachineDefinition(template: Template, match = ''): any {
  const defs = Object.entries(stateMachineDefinitions(template)).filter(([id]) => id.includes(match));
  if (defs.length !== 1) throw new Error(`expected one state machine matching ${match}, found ${defs.map(([id]) => id).join(', ') || 'none'}`);
  return defs[0][1];
}

/** Validates a definition with asl-validator (JSON schema, transitions, paths, ARNs); throws with the errors. */
export function expectValidAsl(definition: unknown): void {
  // asl-validator annotates the object it is given (e.g. QueryLanguage on every state): validate a copy
  const result = aslValidator(JSON.parse(JSON.stringify(definition)), { checkPaths: true, checkArn: true });
  if (!result.isValid) throw new Error(`invalid Amazon States Language:\n${result.errorsText('\n')}`);
}

/** Targets a state can go to next (Next, Default, Choices, Catch). */
export function successors(state: any): string[] {
  const next: string[] = [];
  if (state.Next) next.push(state.Next);
  if (state.Default) next.push(state.Default);
  for (const c of state.Choices ?? []) next.push(c.Next);
  for (const c of state.Catch ?? []) next.push(c.Next);
  return next;
}

/**
 * Every path (list of state names) from `from` to a terminal state (Succeed, Fail,
 * or End), in the top-level states of `definition`. Loops are followed once.
 */
export function allPaths(definition: any, from: string = definition.StartAt): string[][] {
  const states = definition.States;
  const paths: string[][] = [];
  const walk = (name: string, path: string[]) => {
    const state = states[name];
    if (!state) throw new Error(`transition to unknown state ${name}`);
    const here = [...path, name];
    const next = successors(state).filter((n) => !here.includes(n));
    if (state.Type === 'Succeed' || state.Type === 'Fail' || state.End === true || next.length === 0) {
      paths.push(here);
    }
    for (const n of next) walk(n, here);
  };
  walk(from, []);
  return paths;
}

/** IAM service prefixes of the AWS SDK service names Step Functions integrations use. */
const SDK_TO_IAM: Record<string, string> = {
  redshiftdata: 'redshift-data',
  sfn: 'states',
  emrserverless: 'emr-serverless',
  emr: 'elasticmapreduce',
  cloudwatchlogs: 'logs',
  eventbridge: 'events',
  cloudformation: 'cloudformation',
  lakeformation: 'lakeformation',
};

/** SDK actions whose IAM action has another name (`<iam-prefix>:<Action>` as the SDK spells it). */
const SDK_ACTION_TO_IAM: Record<string, string> = {
  's3:ListObjectsV2': 's3:ListBucket',
};

/** The IAM actions optimized integrations call (the ones this library uses). */
const OPTIMIZED: Record<string, string[]> = {
  'sns:publish': ['sns:Publish'],
  'sqs:sendMessage': ['sqs:SendMessage'],
  'states:startExecution': ['states:StartExecution'],
  'states:startExecution.sync:2': ['states:StartExecution', 'states:DescribeExecution', 'states:StopExecution'],
  'glue:startJobRun': ['glue:StartJobRun'],
  'glue:startJobRun.sync': ['glue:StartJobRun', 'glue:GetJobRun', 'glue:GetJobRuns', 'glue:BatchStopJobRun'],
  'elasticmapreduce:createCluster': ['elasticmapreduce:RunJobFlow'],
  'elasticmapreduce:createCluster.sync': ['elasticmapreduce:RunJobFlow', 'elasticmapreduce:DescribeCluster', 'elasticmapreduce:TerminateJobFlows'],
  'elasticmapreduce:terminateCluster.sync': ['elasticmapreduce:TerminateJobFlows', 'elasticmapreduce:DescribeCluster'],
  'elasticmapreduce:terminateCluster': ['elasticmapreduce:TerminateJobFlows'],
  'elasticmapreduce:addStep.sync': ['elasticmapreduce:AddJobFlowSteps', 'elasticmapreduce:DescribeStep', 'elasticmapreduce:CancelSteps'],
  'emr-serverless:startJobRun.sync': ['emr-serverless:StartJobRun', 'emr-serverless:GetJobRun', 'emr-serverless:CancelJobRun'],
  'lambda:invoke': ['lambda:InvokeFunction'],
  'athena:startQueryExecution.sync': ['athena:StartQueryExecution', 'athena:GetQueryExecution', 'athena:StopQueryExecution'],
};

/** One Task state of a definition and the IAM actions its integration calls. */
export interface TaskActions {
  readonly state: string;
  readonly resource: string;
  readonly actions: string[];
  /** The task's Parameters (JSONPath) or Arguments (JSONata), to find the resource ARNs it names. */
  readonly input: any;
}

/**
 * Every Task state of `definition` (including inside Parallel branches and Map item
 * processors) with the IAM actions its service integration calls: AWS SDK integrations
 * (`arn:aws:states:::aws-sdk:<service>:<action>`) map to `<iam-prefix>:<Action>`, optimized
 * integrations to the actions AWS documents for them. Throws on an integration it does
 * not know, so a new one cannot slip past the permission tests.
 */
export function taskActions(definition: any): TaskActions[] {
  const out: TaskActions[] = [];
  const visit = (states: Record<string, any>) => {
    for (const [name, s] of Object.entries(states ?? {})) {
      if (s.Type === 'Parallel') for (const b of s.Branches ?? []) visit(b.States);
      if (s.Type === 'Map') visit((s.ItemProcessor ?? s.Iterator)?.States);
      if (s.Type !== 'Task') continue;
      const resource: string = s.Resource;
      const m = /^arn:[^:]+:states:::(.+)$/.exec(resource);
      if (!m) throw new Error(`state ${name}: unsupported Resource ${resource}`);
      let actions: string[];
      const sdk = /^aws-sdk:([a-z0-9]+):([A-Za-z0-9]+)$/.exec(m[1]);
      if (sdk) {
        const action = `${SDK_TO_IAM[sdk[1]] ?? sdk[1]}:${sdk[2][0].toUpperCase()}${sdk[2].slice(1)}`;
        actions = [SDK_ACTION_TO_IAM[action] ?? action];
      } else if (OPTIMIZED[m[1]]) {
        actions = OPTIMIZED[m[1]];
      } else {
        throw new Error(`state ${name}: no IAM action mapping for integration ${m[1]} (add it to taskActions)`);
      }
      out.push({ state: name, resource, actions, input: s.Parameters ?? s.Arguments });
    }
  };
  visit(definition.States);
  return out;
}
