/**
 * Builds the data-flow graph of one synthesized stack: nodes are the resources that hold, move,
 * catalog, query or consume data (see kinds.ts); edges come from the references that carry data
 * (a delivery stream's source, a crawler's targets, a rule's targets...) and from IAM: what a
 * node's role may read from (an edge into the node) or write to (an edge out of it). Roles that
 * people assume are the consumers. Nodes are grouped by the top-level construct that made them.
 */
import { CfnResource, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { CATALOG_READ, Kind, KINDS, Layer, LAYERS, PERSON_ROLE, PLUMBING_SERVICES, PROPERTY_FLOWS, READ_ACTION } from './kinds';

/** A node of the diagram. */
export interface FlowNode {
  /** The logical id (a valid, stable Mermaid id). */
  readonly id: string;
  readonly layer: Layer;
  /** The construct path below its group, e.g. `DeliveryStream`. */
  readonly name: string;
  /** The construct path from the stack, e.g. `Storage/RawZone` (for a node alone in its group). */
  readonly path: string;
  /** What it is, with its literal name when it has one, e.g. `Glue table streaming_lake.events`. */
  readonly kind: string;
  /** The top-level construct that made it: its id and class. */
  readonly group: { readonly id: string; readonly type: string };
}

/** An edge: data (or a trigger) goes from `from` to `to`. */
export interface FlowEdge {
  readonly from: string;
  readonly to: string;
  readonly label?: string;
}

/** The graph of one stack. */
export interface FlowGraph {
  readonly nodes: FlowNode[];
  readonly edges: FlowEdge[];
}

interface Res {
  readonly id: string;
  readonly type: string;
  readonly props: any;
  readonly construct?: CfnResource;
}

const JSII_RTTI = Symbol.for('jsii.rtti');

/** Whoever writes into a stream from outside the stack (clients, devices, the lab's `npx produce`). */
export const PRODUCERS: FlowNode = {
  id: 'Producers', layer: 'source', name: 'Producers', path: 'Producers', kind: 'outside the stack (clients, devices, npx produce)', group: { id: '', type: '' },
};

/**
 * Logical ids referenced anywhere in `value` (Ref, Fn::GetAtt, Fn::Sub), with the property path
 * of each (property names and list indices; the inside of intrinsic functions adds nothing).
 */
export function references(value: any, path = ''): Array<{ id: string; path: string }> {
  const out: Array<{ id: string; path: string }> = [];
  const join = (p: string, k: string | number, inFn: boolean) => (inFn ? p : p ? `${p}.${k}` : String(k));
  const walk = (v: any, p: string, inFn: boolean) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, join(p, i, inFn), inFn));
    } else if (v && typeof v === 'object') {
      if (typeof v.Ref === 'string' && !v.Ref.startsWith('AWS::')) out.push({ id: v.Ref, path: p });
      const att = v['Fn::GetAtt'];
      if (att !== undefined) out.push({ id: Array.isArray(att) ? att[0] : String(att).split('.')[0], path: p });
      const sub = v['Fn::Sub'];
      const text = typeof sub === 'string' ? sub : Array.isArray(sub) ? sub[0] : undefined;
      if (text) for (const m of text.matchAll(/\$\{([A-Za-z0-9]+)(\.[A-Za-z0-9.]+)?\}/g)) out.push({ id: m[1], path: p });
      for (const [k, x] of Object.entries(v)) {
        if (k === 'Ref' || k === 'Fn::GetAtt') continue;
        const fn = k.startsWith('Fn::');
        walk(x, fn ? p : join(p, k, inFn), inFn || fn);
      }
    }
  };
  walk(value, path, false);
  return out;
}

/** A resource ARN of a policy as plain text (references and pseudo parameters become `*`). */
function arnText(value: any): string {
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return value.map(arnText).join('');
  if (value && typeof value === 'object' && Array.isArray(value['Fn::Join'])) return (value['Fn::Join'][1] as any[]).map(arnText).join(value['Fn::Join'][0]);
  return '*';
}

/**
 * The class name of a construct: its own name, or for an aws-cdk-lib class that a decorator
 * renamed (`Role2`), the public name of the class it stands for (`Role`).
 */
function typeName(c: IConstruct): string {
  const name = c.constructor.name;
  for (let ctor: any = c.constructor; ctor && ctor !== Object; ctor = Object.getPrototypeOf(ctor)) {
    if (!Object.prototype.hasOwnProperty.call(ctor, JSII_RTTI)) continue;
    const last = String(ctor[JSII_RTTI].fqn).split('.').pop()!;
    return ctor === c.constructor || new RegExp(`^${last}\\d+$`).test(name) ? last : name;
  }
  return name;
}

/**
 * A construct path without `Resource`/`Default`, repeated ids, and trailing ids that only repeat
 * what the kind already says (`RawZone/Bucket` of an S3 bucket is `RawZone`).
 */
function shortName(segments: string[], kindLabel: string): string {
  const kept = segments.filter((s) => s !== 'Resource' && s !== 'Default').filter((s, i, all) => i === 0 || s !== all[i - 1]);
  const kindWords = kindLabel.replace(/\s+/g, '').toLowerCase();
  while (kept.length > 1 && kindWords.includes(kept[kept.length - 1].toLowerCase())) kept.pop();
  return kept.join('/');
}

/** Builds the graph of `stack` from its synthesized `template`. */
export function buildGraph(stack: Stack, template: any): FlowGraph {
  const constructs = new Map<string, CfnResource>();
  for (const c of stack.node.findAll()) {
    if (CfnResource.isCfnResource(c) && Stack.of(c) === stack) constructs.set(stack.resolve(c.logicalId), c);
  }
  const resources = new Map<string, Res>(Object.entries<any>(template.Resources ?? {}).map(([id, r]) => [id, {
    id, type: r.Type, props: r.Properties ?? {}, construct: constructs.get(id),
  }]));
  const builder = new GraphBuilder(stack, resources);
  return builder.build();
}

class GraphBuilder {
  private readonly nodes = new Map<string, FlowNode>();
  private readonly edges = new Map<string, FlowEdge>();
  /** Glue database id -> the ids of its tables (edges to a database with tables go to its tables). */
  private readonly tablesOf = new Map<string, string[]>();
  private passRolesCache?: Map<string, Set<string>>;

  constructor(private readonly stack: Stack, private readonly resources: Map<string, Res>) {}

  public build(): FlowGraph {
    this.addNodes();
    this.addPropertyFlows();
    this.addIamFlows();
    this.routeConsumersThroughQueryEngines();
    return this.finish();
  }

  private addNodes(): void {
    const internal = this.customResourceProviders();
    for (const r of this.resources.values()) {
      const kind = KINDS[r.type] ?? (this.isPersonRole(r) ? PERSON_ROLE : undefined);
      if (!kind || !r.construct || internal.has(r.id) || r.construct.node.path.split('/').some((s) => s.startsWith('Custom::'))) continue;
      this.nodes.set(r.id, this.node(r, kind));
    }
    for (const r of this.resources.values()) {
      if (r.type !== 'AWS::Glue::Table' || !this.nodes.has(r.id)) continue;
      for (const db of references(r.props.DatabaseName).map((x) => x.id).concat(this.databaseByName(r.props.DatabaseName))) {
        this.tablesOf.set(db, [...(this.tablesOf.get(db) ?? []), r.id]);
      }
    }
    for (const db of this.tablesOf.keys()) this.nodes.delete(db);
  }

  private node(r: Res, kind: Kind): FlowNode {
    const segments = r.construct!.node.path.split('/').slice(1);
    const top = this.stack.node.findChild(segments[0]);
    const literal = kind.name?.(r.props);
    return {
      id: r.id,
      layer: kind.layer,
      name: shortName(segments.slice(1), kind.label) || segments[0],
      path: shortName(segments, kind.label),
      kind: literal ? `${kind.label} ${literal.display}` : kind.label,
      group: { id: segments[0], type: typeName(top) },
    };
  }

  /** Lambda functions that back custom resources (auto-delete, bucket notifications...): plumbing. */
  private customResourceProviders(): Set<string> {
    const ids = new Set<string>();
    for (const r of this.resources.values()) {
      if (r.type.startsWith('Custom::') || r.type === 'AWS::CloudFormation::CustomResource') {
        for (const ref of references(r.props.ServiceToken)) ids.add(ref.id);
      }
    }
    return ids;
  }

  /** A role no node uses, trusted by an AWS account principal: people (analysts, administrators). */
  private isPersonRole(r: Res): boolean {
    if (r.type !== 'AWS::IAM::Role') return false;
    const statements: any[] = [].concat(r.props.AssumeRolePolicyDocument?.Statement ?? []);
    const trustsPeople = statements.some((s) => s.Effect === 'Allow' && s.Principal?.AWS !== undefined && s.Principal?.Service === undefined);
    return trustsPeople && this.ownersOf(r.id).size === 0;
  }

  private databaseByName(name: unknown): string[] {
    if (typeof name !== 'string') return [];
    return [...this.resources.values()].filter((r) => r.type === 'AWS::Glue::Database' && r.props.DatabaseInput?.Name === name).map((r) => r.id);
  }

  /** Edge targets: a database with tables stands for its tables. */
  private targets(id: string): string[] {
    return this.tablesOf.get(id) ?? (this.nodes.has(id) ? [id] : []);
  }

  private addEdge(from: string, to: string, label?: string): void {
    for (const f of this.targets(from)) {
      for (const t of this.targets(to)) {
        if (f === t) continue;
        const key = `${f}>${t}`;
        const existing = this.edges.get(key);
        this.edges.set(key, { from: f, to: t, label: existing?.label ?? label });
      }
    }
  }

  private addPropertyFlows(): void {
    for (const r of this.resources.values()) {
      if (r.type === 'AWS::Lambda::EventSourceMapping') {
        for (const src of references(r.props.EventSourceArn)) for (const fn of references(r.props.FunctionName)) this.addEdge(src.id, fn.id);
      }
      const rules = PROPERTY_FLOWS[r.type];
      if (!rules || !this.nodes.has(r.id)) continue;
      for (const ref of references(r.props)) {
        const rule = rules.find((x) => x.path.test(ref.path));
        if (!rule) continue;
        if (rule.direction === 'in') this.addEdge(ref.id, r.id, rule.label);
        else this.addEdge(r.id, ref.id, rule.label);
      }
    }
  }

  /**
   * Nodes that act with a role: the nodes that name it as their own (any property but a state
   * machine definition: `RoleArn`, `IamRoles`...). A role no node names as its own belongs to
   * the nodes that hand it to a service at run time: in a definition, through an instance
   * profile, or by iam:PassRole (e.g. the EMR roles of a state machine that creates clusters).
   */
  private ownersOf(roleId: string, seen = new Set<string>()): Set<string> {
    seen.add(roleId);
    const profiles = new Set([...this.resources.values()].filter((r) => r.type === 'AWS::IAM::InstanceProfile'
      && references(r.props.Roles).some((x) => x.id === roleId)).map((r) => r.id));
    const direct = new Set<string>();
    const indirect = new Set<string>();
    for (const r of this.resources.values()) {
      if (!KINDS[r.type]) continue;
      for (const ref of references(r.props)) {
        if (ref.id !== roleId && !profiles.has(ref.id)) continue;
        if (ref.id === roleId && !/^Definition(String|Substitutions)/.test(ref.path)) direct.add(r.id);
        else indirect.add(r.id);
      }
    }
    if (direct.size > 0) return direct;
    for (const [passer, passed] of this.passRoles()) {
      if (passed.has(roleId) && !seen.has(passer)) for (const o of this.ownersOf(passer, seen)) indirect.add(o);
    }
    return indirect;
  }

  /** role id -> the roles it may pass (iam:PassRole). */
  private passRoles(): Map<string, Set<string>> {
    if (!this.passRolesCache) {
      this.passRolesCache = new Map();
      for (const [roleId, statements] of this.roleStatements()) {
        const passed = new Set<string>();
        for (const s of statements) {
          if ([].concat(s.Action ?? []).some((a: string) => a === 'iam:PassRole')) references(s.Resource).forEach((x) => passed.add(x.id));
        }
        passed.delete(roleId);
        if (passed.size > 0) this.passRolesCache.set(roleId, passed);
      }
    }
    return this.passRolesCache;
  }

  /** Every Allow statement of every role, from inline policies, AWS::IAM::Policy and customer-managed policies. */
  private roleStatements(): Map<string, any[]> {
    const out = new Map<string, any[]>();
    const add = (role: string, doc: any) => out.set(role, [...(out.get(role) ?? []), ...[].concat(doc?.Statement ?? []).filter((s: any) => s.Effect === 'Allow')]);
    for (const r of this.resources.values()) {
      if (r.type === 'AWS::IAM::Role') for (const p of r.props.Policies ?? []) add(r.id, p.PolicyDocument);
      if (r.type === 'AWS::IAM::Policy' || r.type === 'AWS::IAM::ManagedPolicy') {
        for (const role of references(r.props.Roles)) add(role.id, r.props.PolicyDocument);
      }
    }
    for (const r of this.resources.values()) {
      if (r.type !== 'AWS::IAM::Role') continue;
      for (const m of references(r.props.ManagedPolicyArns)) add(r.id, this.resources.get(m.id)?.props.PolicyDocument);
    }
    return out;
  }

  private addIamFlows(): void {
    for (const [roleId, statements] of this.roleStatements()) {
      const actors = this.nodes.has(roleId) ? new Set([roleId]) : this.ownersOf(roleId);
      for (const actor of actors) {
        const access = this.accessOf(this.nodes.get(actor), statements);
        for (const [resource, writes] of access) {
          const consumer = this.nodes.get(actor)?.layer === 'consumer';
          if (writes && !consumer) this.addEdge(actor, resource);
          else this.addEdge(resource, actor);
        }
      }
    }
  }

  /** The nodes a role's statements reach, and whether any action on each writes (or acts). */
  private accessOf(actor: FlowNode | undefined, statements: any[]): Map<string, boolean> {
    const access = new Map<string, boolean>();
    const queries = actor !== undefined && ['query', 'consumer'].includes(actor.layer);
    for (const s of statements) {
      const actions = ([] as string[]).concat(s.Action ?? []).filter((a) => !PLUMBING_SERVICES.has(a.split(':')[0]) && (queries || !CATALOG_READ.test(a)));
      if (actions.length === 0) continue;
      const writes = actions.some((a) => !READ_ACTION.test(a.split(':')[1] ?? ''));
      for (const resource of this.resourcesOf(s.Resource)) access.set(resource, (access.get(resource) ?? false) || writes);
    }
    return access;
  }

  /** The resources a statement names: by reference, or by an ARN built from a literal name. */
  private resourcesOf(resource: any): string[] {
    const ids = new Set(references(resource).map((x) => x.id).filter((id) => this.resources.has(id)));
    for (const arn of ([] as any[]).concat(resource ?? []).map(arnText)) {
      for (const r of this.resources.values()) {
        const suffixes = KINDS[r.type]?.name?.(r.props)?.arnSuffixes ?? [];
        if (suffixes.some((x) => arn.endsWith(x))) ids.add(r.id);
      }
    }
    return [...ids];
  }

  /**
   * People reach the catalog and stores through a query engine: an edge from a table into a
   * person who also uses a query engine becomes table -> engine, and what the engine itself
   * writes (its results) is read through the engine, not drawn again.
   */
  private routeConsumersThroughQueryEngines(): void {
    const edges = [...this.edges.values()];
    for (const person of [...this.nodes.values()].filter((n) => n.layer === 'consumer')) {
      const into = edges.filter((e) => e.to === person.id);
      const engines = into.map((e) => e.from).filter((id) => this.nodes.get(id)?.layer === 'query');
      if (engines.length === 0) continue;
      const engineOutputs = new Set(edges.filter((e) => engines.includes(e.from)).map((e) => e.to));
      for (const e of into) {
        if (engines.includes(e.from)) continue;
        this.edges.delete(`${e.from}>${e.to}`);
        if (!engineOutputs.has(e.from)) for (const engine of engines) this.addEdge(e.from, engine);
      }
    }
  }

  /** Drops nodes with no edge and triggers that trigger nothing; adds the producers of streams; sorts everything. */
  private finish(): FlowGraph {
    const fed = new Set([...this.edges.values()].map((e) => e.to));
    const unfed = [...this.nodes.values()].filter((n) => n.layer === 'stream' && !fed.has(n.id));
    if (unfed.length > 0) {
      this.nodes.set(PRODUCERS.id, PRODUCERS);
      for (const n of unfed) this.edges.set(`${PRODUCERS.id}>${n.id}`, { from: PRODUCERS.id, to: n.id });
    }
    const edges = [...this.edges.values()];
    const triggersSomething = new Set(edges.map((e) => e.from));
    const used = new Set(edges.flatMap((e) => [e.from, e.to]));
    const keep = [...this.nodes.values()].filter((n) => used.has(n.id) && (n.layer !== 'source' || triggersSomething.has(n.id)));
    const kept = new Set(keep.map((n) => n.id));
    const order = (n: FlowNode) => `${LAYERS.indexOf(n.layer)}|${n.group.id}|${n.name}|${n.id}`;
    keep.sort((a, b) => order(a).localeCompare(order(b)));
    const rank = new Map(keep.map((n, i) => [n.id, i]));
    const kepEdges = edges.filter((e) => kept.has(e.from) && kept.has(e.to))
      .sort((a, b) => rank.get(a.from)! - rank.get(b.from)! || rank.get(a.to)! - rank.get(b.to)!);
    return { nodes: keep, edges: kepEdges };
  }
}
