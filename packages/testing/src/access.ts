/**
 * Run-time permission checks on a synthesized template, without deploying: who may do
 * what to which resource once the stack exists. Identity policies (inline, attached and
 * customer-managed), resource policies (bucket, key, topic, queue, secret, stream, log
 * group, OpenSearch domain, Lambda permissions, role trust policies) and KMS key-policy
 * delegation to the account are combined as IAM evaluates them, by the
 * `@cloud-copilot/iam-simulate` engine (a test-only dependency, never shipped).
 *
 * What it cannot see: AWS managed policies' contents (reported when they might matter),
 * Lake Formation grants, SCPs/RCPs of an organization, VPC endpoint policies the template
 * does not hold, and service-side behaviour (what the service actually sends).
 */
import { anonymousPrincipal, runSimulation, runUnsafeSimulation, type Simulation } from '@cloud-copilot/iam-simulate';
import { Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { TEST_ENV, TemplateResolver, TestEnvironment } from './template-resolver';

/** The account of "another account" in tests. */
export const OTHER_ACCOUNT = '999999999999';

/** A principal in a request: an IAM ARN, a service principal, or an unsigned caller. */
export type AccessPrincipal = string | typeof anonymousPrincipal;

/** One request to evaluate. */
export interface AccessRequest {
  /** Who calls: a role/user ARN (tokens allowed), `cloudwatch.amazonaws.com`, or {@link Principals.anonymous}. */
  readonly principal: AccessPrincipal;
  /** The IAM action, e.g. `sns:Publish`. */
  readonly action: string;
  /** The resource ARN (tokens allowed). */
  readonly resource: string;
  /**
   * The request context AWS sends. `aws:SecureTransport` is `true` unless given.
   * Values may be tokens.
   */
  readonly context?: Record<string, string | string[]>;
  /**
   * Identity policies of a principal that is not in the template (e.g. an administrator
   * of another account); principals of the template get theirs from the template.
   */
  readonly identityPolicies?: any[];
}

/** The outcome of one request. */
export interface AccessDecision {
  readonly result: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied';
  /** What was evaluated, for messages. */
  readonly description: string;
}

/** Principals tests use for the negative cases. */
export class Principals {
  /** An unsigned request. */
  public static readonly anonymous: AccessPrincipal = anonymousPrincipal;

  /** A role of the same account that nothing granted anything (it has no identity policy). */
  public static strangerInAccount(env: TestEnvironment = TEST_ENV): string {
    return `arn:${env.partition}:iam::${env.account}:role/Stranger`;
  }

  /**
   * An administrator role of another account (its identity policy allows everything), to
   * spread into a request: `{ ...Principals.otherAccountAdmin(), action, resource }`.
   */
  public static otherAccountAdmin(env: TestEnvironment = TEST_ENV): Pick<AccessRequest, 'principal' | 'identityPolicies'> {
    return {
      principal: `arn:${env.partition}:iam::${OTHER_ACCOUNT}:role/Admin`,
      identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }],
    };
  }

  /**
   * A role whose identity policy allows `sts:AssumeRole` on any role (an IAM power user), of
   * this account unless `account` is given, to spread into a request: trust policies decide.
   */
  public static roleAssumer(name: string, account?: string, env: TestEnvironment = TEST_ENV): { principal: string; identityPolicies: any[] } {
    return {
      principal: `arn:${env.partition}:iam::${account ?? env.account}:role/${name}`,
      identityPolicies: [{ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] }],
    };
  }

  private constructor() {}
}

interface GovernedPolicy {
  /** exact ARNs, or prefixes ending with '/' or ':' that the policy governs */
  readonly arns: string[];
  readonly prefixes: string[];
  readonly document: any;
  /** only for these actions (trust policies), undefined = any */
  readonly actions?: RegExp;
}

const AWS_MANAGED = /^arn:[a-z-]+:iam::aws:policy\//;

/**
 * Context keys AWS sends and documents that the engine's IAM data does not link to the actions
 * they apply to: KMS encryption context, and the S3 access point keys of requests made through an
 * access point (documented for delegating access control to access points).
 * @see https://docs.aws.amazon.com/AmazonS3/latest/userguide/access-points-policies.html
 */
const UNLINKED_CONTEXT_KEYS = /^(kms:EncryptionContext:|s3:DataAccessPointArn$|s3:DataAccessPointAccount$|s3:AccessPointNetworkOrigin$)/i;

/**
 * The run-time permission model of one synthesized stack. Build it after the stack is
 * complete: `const access = AccessModel.of(stack)`.
 */
export class AccessModel {
  /** The model of `stack` (synthesized with `Template.fromStack`), in the test environment. */
  public static of(stack: Stack, parameters: Record<string, string> = {}): AccessModel {
    return new AccessModel(Template.fromStack(stack).toJSON(), stack, parameters);
  }

  /** Resolves the template's intrinsics. */
  public readonly resolver: TemplateResolver;
  private readonly resourcePolicies: GovernedPolicy[];

  constructor(template: any, private readonly stack?: Stack, parameters: Record<string, string> = {}, env: TestEnvironment = TEST_ENV) {
    this.resolver = new TemplateResolver(template, { ...env, stackName: stack?.stackName ?? env.stackName }, parameters);
    this.resourcePolicies = this.collectResourcePolicies();
  }

  /** A CDK token, intrinsic or plain value, resolved to what it is after deployment. */
  public resolve(value: any): any {
    const intrinsic = this.stack && typeof value !== 'symbol' ? this.stack.resolve(value) : value;
    return this.resolver.resolve(intrinsic);
  }

  /** The ARN of a role of the template (a token such as `role.roleArn`). */
  public arn(token: string): string {
    return String(this.resolve(token));
  }

  /** Evaluates one request. */
  public async evaluate(request: AccessRequest): Promise<AccessDecision> {
    const principal = typeof request.principal === 'string' ? this.arn(request.principal) : request.principal;
    const resource = String(this.resolve(request.resource));
    const context = this.resolve({ 'aws:SecureTransport': 'true', ...request.context }) as Record<string, string | string[]>;
    const identity = request.identityPolicies ?? (typeof principal === 'string' ? this.identityPoliciesOf(principal) : { policies: [], managed: [] });
    const policies = Array.isArray(identity) ? { policies: identity, managed: [] as string[] } : identity;
    const resourcePolicy = this.resourcePolicyFor(resource, request.action);
    const simulation: Simulation = {
      request: {
        principal,
        action: request.action,
        resource: { resource, accountId: this.accountOf(resource) },
        contextVariables: context,
      },
      identityPolicies: policies.policies.map((p, i) => ({ name: `identity${i}`, policy: p })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      resourcePolicy,
    };
    // the validating engine checks action names, resource types and condition keys...
    const checked = await runSimulation(simulation, {});
    if (checked.resultType === 'error') {
      throw new Error(`invalid request ${request.action} on ${resource}: ${JSON.stringify(checked.errors)}`);
    }
    const ignored = ((checked as any).result?.ignoredContextKeys ?? (checked as any).ignoredContextKeys ?? []) as string[];
    const unexpected = ignored.filter((k) => !UNLINKED_CONTEXT_KEYS.test(k));
    if (unexpected.length > 0) throw new Error(`context keys ${unexpected.join(', ')} do not apply to ${request.action}`);
    // ...but drops kms:EncryptionContext:* keys (TOOLCHAIN 18) and the S3 access point keys its IAM data does not
    // link to object and bucket actions, so the decision comes from the engine without validation
    // (a resource policy passed as an already-validated policy carries the name the engine reports)
    const named = resourcePolicy ? { __validated: true, policyDocument: resourcePolicy, metadata: { name: 'resource policy' }, errors: [] } : undefined;
    const decision = runUnsafeSimulation({ ...simulation, resourcePolicy: named }, {}) as any;
    const result = (typeof decision === 'string' ? decision : decision.result) as AccessDecision['result'];
    const who = typeof principal === 'string' ? principal : 'anonymous';
    const managed = policies.managed.length > 0 ? ` (AWS managed policies not evaluated: ${policies.managed.join(', ')})` : '';
    return {
      result,
      description: `${who} ${request.action} on ${resource} with ${JSON.stringify(context)}: ${result}${managed}\n`
        + `  identity policies: ${JSON.stringify(policies.policies)}\n  resource policy: ${JSON.stringify(resourcePolicy ?? null)}`,
    };
  }

  /** Fails unless every request is allowed. */
  public async expectAllowed(...requests: AccessRequest[]): Promise<void> {
    await this.expect(requests, (r) => r === 'Allowed', 'allowed');
  }

  /** Fails unless every request is denied (explicitly or implicitly). */
  public async expectDenied(...requests: AccessRequest[]): Promise<void> {
    await this.expect(requests, (r) => r !== 'Allowed', 'denied');
  }

  /** Fails unless every request is explicitly denied (a Deny statement matched). */
  public async expectExplicitlyDenied(...requests: AccessRequest[]): Promise<void> {
    await this.expect(requests, (r) => r === 'ExplicitlyDenied', 'explicitly denied');
  }

  /** The identity policies of a role of the template, by its ARN. */
  public identityPoliciesOf(principalArn: string): { policies: any[]; managed: string[] } {
    const roleName = /:role\/(?:.*\/)?([^/]+)$/.exec(principalArn)?.[1] ?? /:assumed-role\/([^/]+)\//.exec(principalArn)?.[1];
    const roleId = this.resolver.ofType('AWS::IAM::Role').find((id) => this.resolver.ref(id) === roleName);
    if (!roleId) return { policies: [], managed: [] };
    const role = this.resolver.resource(roleId).Properties ?? {};
    const policies: any[] = (role.Policies ?? []).map((p: any) => this.resolver.resolve(p.PolicyDocument));
    const managed: string[] = [];
    for (const m of this.resolver.resolve(role.ManagedPolicyArns ?? []) as string[]) {
      const own = this.resolver.ofType('AWS::IAM::ManagedPolicy').find((id) => this.resolver.ref(id) === m);
      if (own) policies.push(this.resolver.resolve(this.resolver.resource(own).Properties.PolicyDocument));
      else if (AWS_MANAGED.test(m)) managed.push(m);
    }
    for (const type of ['AWS::IAM::Policy', 'AWS::IAM::ManagedPolicy']) {
      for (const id of this.resolver.ofType(type)) {
        const p = this.resolver.resource(id).Properties;
        const roles = this.resolver.resolve(p.Roles ?? []) as string[];
        if (roles.includes(roleName!)) policies.push(this.resolver.resolve(p.PolicyDocument));
      }
    }
    return { policies, managed };
  }

  private async expect(requests: AccessRequest[], ok: (r: AccessDecision['result']) => boolean, wanted: string): Promise<void> {
    const failures: string[] = [];
    for (const request of requests) {
      const d = await this.evaluate(request);
      if (!ok(d.result)) failures.push(d.description);
    }
    if (failures.length > 0) throw new Error(`expected ${wanted}, but:\n${failures.join('\n')}`);
  }

  private accountOf(resourceArn: string): string {
    const account = resourceArn.split(':')[4];
    return account && /^\d{12}$/.test(account) ? account : this.resolver.env.account;
  }

  private resourcePolicyFor(resource: string, action: string): any {
    const statements: any[] = [];
    for (const p of this.resourcePolicies) {
      if (p.actions && !p.actions.test(action)) continue;
      if (p.arns.includes(resource) || p.prefixes.some((x) => resource.startsWith(x))) {
        statements.push(...[].concat(p.document.Statement ?? []));
      }
    }
    return statements.length > 0 ? { Version: '2012-10-17', Statement: statements } : undefined;
  }

  private collectResourcePolicies(): GovernedPolicy[] {
    const r = this.resolver;
    const out: GovernedPolicy[] = [];
    const each = (type: string, fn: (props: any, id: string) => void) =>
      r.ofType(type).forEach((id) => fn(r.resource(id).Properties ?? {}, id));
    each('AWS::S3::BucketPolicy', (p) => {
      const bucket = r.resolve(p.Bucket);
      const bucketArn = `arn:${r.env.partition}:s3:::${bucket}`;
      out.push({ arns: [bucketArn], prefixes: [`${bucketArn}/`], document: r.resolve(p.PolicyDocument) });
    });
    each('AWS::KMS::Key', (p, id) => out.push({ arns: [r.attr(id, 'Arn')], prefixes: [], document: r.resolve(p.KeyPolicy) }));
    each('AWS::SNS::TopicPolicy', (p) => out.push({ arns: r.resolve(p.Topics), prefixes: [], document: r.resolve(p.PolicyDocument) }));
    each('AWS::SNS::TopicInlinePolicy', (p) => out.push({ arns: [r.resolve(p.TopicArn)], prefixes: [], document: r.resolve(p.PolicyDocument) }));
    const queueArn = (url: string) => {
      const [, , , account, name] = url.split('/');
      return `arn:${r.env.partition}:sqs:${r.env.region}:${account}:${name}`;
    };
    each('AWS::SQS::QueuePolicy', (p) => out.push({ arns: (r.resolve(p.Queues) as string[]).map(queueArn), prefixes: [], document: r.resolve(p.PolicyDocument) }));
    each('AWS::SQS::QueueInlinePolicy', (p) => out.push({ arns: [queueArn(r.resolve(p.Queue))], prefixes: [], document: r.resolve(p.PolicyDocument) }));
    each('AWS::IAM::Role', (p, id) => out.push({
      arns: [r.attr(id, 'Arn')], prefixes: [], document: r.resolve(p.AssumeRolePolicyDocument), actions: /^sts:(AssumeRole|TagSession|SetSourceIdentity)/,
    }));
    each('AWS::SecretsManager::ResourcePolicy', (p) => out.push({ arns: [r.resolve(p.SecretId)], prefixes: [], document: r.resolve(p.ResourcePolicy) }));
    each('AWS::Kinesis::ResourcePolicy', (p) => out.push({ arns: [r.resolve(p.ResourceArn)], prefixes: [], document: r.resolve(p.ResourcePolicy) }));
    each('AWS::Logs::ResourcePolicy', (p) => {
      const doc = r.resolve(p.PolicyDocument);
      out.push({ arns: [], prefixes: [`arn:${r.env.partition}:logs:`], document: typeof doc === 'string' ? JSON.parse(doc) : doc });
    });
    each('AWS::OpenSearchService::Domain', (p, id) => {
      if (p.AccessPolicies) out.push({ arns: [r.attr(id, 'Arn')], prefixes: [`${r.attr(id, 'Arn')}/`], document: r.resolve(p.AccessPolicies) });
    });
    each('AWS::Lambda::Permission', (p) => {
      const fn = r.resolve(p.FunctionName) as string;
      const fnArn = fn.startsWith('arn:') ? fn : `arn:${r.env.partition}:lambda:${r.env.region}:${r.env.account}:function:${fn}`;
      const principal = r.resolve(p.Principal) as string;
      const conditions: any = {};
      if (p.SourceArn) conditions.ArnLike = { 'aws:SourceArn': r.resolve(p.SourceArn) };
      if (p.SourceAccount) conditions.StringEquals = { 'aws:SourceAccount': r.resolve(p.SourceAccount) };
      out.push({
        arns: [fnArn],
        prefixes: [`${fnArn}:`],
        document: {
          Statement: [{
            Effect: 'Allow',
            Principal: principal.endsWith('.amazonaws.com') ? { Service: principal } : { AWS: principal },
            Action: r.resolve(p.Action),
            Resource: fnArn,
            ...(Object.keys(conditions).length > 0 ? { Condition: conditions } : {}),
          }],
        },
      });
    });
    return out;
  }
}
