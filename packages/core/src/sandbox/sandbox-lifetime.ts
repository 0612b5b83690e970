import { Annotations, AspectPriority, Aspects, CfnDeletionPolicy, CfnResource, DefaultStackSynthesizer, IAspect, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct, IConstruct } from 'constructs';
import { Sandbox } from './sandbox';
import { SandboxBudget } from './sandbox-budget';
import { budgetEmailsFrom, budgetUsdFrom, TTL_HOURS, ttlHoursFrom } from './sandbox-context';
import { ISandboxBeforeDelete, SandboxExpiry } from './sandbox-expiry';
import { CustomerManagedPolicies } from '../compliance/customer-managed-policies';
import { Limit } from '../validation/limit';
import { Validate } from '../validation/validate';

/** Options for {@link SandboxLifetime.apply}. */
export interface SandboxLifetimeOptions {
  /**
   * E-mail addresses for the budget alerts when the context flag
   * `analytics-patterns:budget-email` is not set (an app passes its alarm e-mails here).
   * @default - none: a budget then needs `-c analytics-patterns:budget-email=...`
   */
  readonly budgetEmails?: string[];
  /**
   * Work the time-to-live's delete state machine does before each `DeleteStack` attempt (for
   * example, stopping a DMS Serverless replication). Used only when the time-to-live is set.
   * @default - none
   * @see SandboxExpiryProps.beforeDelete
   */
  readonly beforeDelete?: ISandboxBeforeDelete[];
}

const ID = 'SandboxLifetime';

/**
 * A sandbox stack that cleans up after itself: a time-to-live that deletes the stack N hours
 * after its latest successful deployment, and an AWS Budgets budget with e-mail alerts. Both
 * exist only in sandbox mode (`analytics-patterns:sandbox=true`) and only when their context
 * flag is set; an app opts in with one line, `SandboxLifetime.apply(this)`.
 *
 * ```sh
 * npx cdk deploy MyStack -c analytics-patterns:sandbox=true \
 *   -c analytics-patterns:sandbox-ttl-hours=4 \
 *   -c analytics-patterns:budget-usd=20 -c analytics-patterns:budget-email=me@example.com
 * ```
 *
 * The flags are context values: literal strings known at synth time. There is no token
 * (CfnParameter) form: the hours are written into the state machine definition and the
 * amount into the budget when the app is synthesized.
 *
 * **Time-to-live** (`SandboxExpiry`). Synth time is not deploy time, so the expiry is computed
 * at deploy time: this stack's own `CREATE_COMPLETE`/`UPDATE_COMPLETE` event (EventBridge)
 * starts a state machine that computes `at(now + N hours)` and creates, or moves, a one-time
 * EventBridge Scheduler schedule; each successful deployment restarts the countdown. The
 * schedule starts a second state machine that runs the app's `beforeDelete` steps and calls
 * `cloudformation:DeleteStack` on this stack's ARN, then watches the deletion: on
 * `DELETE_FAILED` it runs the steps again and retries (3 attempts in all), then fails with
 * `Sandbox.DeleteFailed`. Every other resource depends on that state machine, so it is deleted
 * last. CloudFormation then deletes the resources with the service
 * role the stack was deployed with (the CDK bootstrap's CloudFormation execution role), not
 * with the state machine's role: without a `RoleARN` in the request, CloudFormation uses the
 * stack's stored role even when the caller may not pass it, so no `iam:PassRole` is needed.
 * In this mode every resource that would be retained (RETAIN, RETAIN_EXCEPT_ON_CREATE,
 * SNAPSHOT, or a type that snapshots by default) is switched to DELETE.
 *
 * **Budget** (`SandboxBudget`). A monthly cost budget filtered on the cost allocation tag
 * `analytics-patterns:sandbox-stack=<stack name>`, which this adds to the stack and its
 * resources; alerts at 50 % and 100 % actual and 100 % forecast spend.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/using-iam-servicerole.html
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/event-detail-stack-status-change.html
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html
 */
export class SandboxLifetime extends Construct {
  /** Context key of the time-to-live in hours. */
  public static readonly TTL_CONTEXT_KEY = 'analytics-patterns:sandbox-ttl-hours';
  /** Context key of the monthly budget in US dollars. */
  public static readonly BUDGET_CONTEXT_KEY = 'analytics-patterns:budget-usd';
  /** Context key of the budget alerts' e-mail addresses (comma-separated). */
  public static readonly BUDGET_EMAIL_CONTEXT_KEY = 'analytics-patterns:budget-email';
  /**
   * The accepted time-to-live: whole hours from 1 to 168 (one week). This is the library's own
   * range for labs, not an AWS limit: a stack meant to live longer should not be on a timer.
   */
  public static readonly TTL_HOURS: Limit = TTL_HOURS;

  /**
   * Adds the time-to-live and the budget that the context flags ask for to `stack`, in sandbox
   * mode only. Returns undefined (and adds nothing) when neither flag is set; outside sandbox
   * mode a set flag is ignored with a warning. Calling it again returns the same instance.
   */
  public static apply(stack: Stack, options: SandboxLifetimeOptions = {}): SandboxLifetime | undefined {
    const existing = stack.node.tryFindChild(ID);
    if (existing) return existing as SandboxLifetime;
    const flags = [SandboxLifetime.TTL_CONTEXT_KEY, SandboxLifetime.BUDGET_CONTEXT_KEY].filter((k) => stack.node.tryGetContext(k) !== undefined);
    if (flags.length === 0) return undefined;
    if (!Sandbox.isEnabled(stack)) {
      Annotations.of(stack).addWarningV2('@analytics-patterns/core:SandboxLifetimeIgnored',
        `${flags.join(' and ')} ignored: they apply only in sandbox mode (${Sandbox.CONTEXT_KEY}=true), where stateful resources are deleted with the stack.`);
      return undefined;
    }
    return new SandboxLifetime(stack, options);
  }

  /** The time-to-live in hours, when set. */
  public readonly timeToLiveHours?: number;
  /** The resources that delete the stack when its time-to-live ends, when set. */
  public readonly expiry?: SandboxExpiry;
  /** The monthly budget in US dollars, when set. */
  public readonly budgetUsd?: number;
  /** The budget and its alerts, when set. */
  public readonly budget?: SandboxBudget;

  private constructor(stack: Stack, options: SandboxLifetimeOptions) {
    super(stack, ID);
    this.validateStack(stack);
    this.timeToLiveHours = ttlHoursFrom(stack, SandboxLifetime.TTL_CONTEXT_KEY, stack.node.tryGetContext(SandboxLifetime.TTL_CONTEXT_KEY));
    this.budgetUsd = budgetUsdFrom(stack, SandboxLifetime.BUDGET_CONTEXT_KEY, stack.node.tryGetContext(SandboxLifetime.BUDGET_CONTEXT_KEY));
    if (this.timeToLiveHours !== undefined) {
      this.validateDeletable(stack);
      this.expiry = new SandboxExpiry(this, 'Expiry', { hours: this.timeToLiveHours, beforeDelete: options.beforeDelete });
      Aspects.of(stack).add(new DeleteEverything(), { priority: AspectPriority.MUTATING });
      // after the tags (auto-delete marks its buckets with one) have been applied
      Aspects.of(stack).add(new WarnUnemptiedBuckets(), { priority: AspectPriority.READONLY });
    }
    if (this.budgetUsd !== undefined) {
      this.budget = new SandboxBudget(this, 'Budget', { amountUsd: this.budgetUsd, emails: this.budgetEmails(stack, options) });
    }
    CustomerManagedPolicies.apply(this);
  }

  /** Only a top-level stack can delete itself or carry stack-level tags. */
  private validateStack(stack: Stack): void {
    Validate.that(stack, !stack.nested, {
      prop: 'stack', value: stack.node.path, allowed: 'a top-level stack (a nested stack is deleted with its parent)',
    });
  }

  /** What DeleteStack needs: no termination protection, and a CloudFormation service role to delete with. */
  private validateDeletable(stack: Stack): void {
    const key = SandboxLifetime.TTL_CONTEXT_KEY;
    Validate.that(stack, stack.terminationProtection !== true, {
      prop: key, value: stack.node.tryGetContext(key), allowed: 'a stack without termination protection (terminationProtection: false)',
    });
    Validate.that(stack, hasExecutionRole(stack), {
      prop: key,
      value: stack.node.tryGetContext(key),
      allowed: 'a stack deployed with a CloudFormation service role (DefaultStackSynthesizer, the CDK bootstrap\'s CloudFormation execution role)',
      hint: 'Without one, CloudFormation would delete the stack with the delete state machine\'s own permissions, which are deliberately limited to DeleteStack on this stack.',
    });
  }

  /** The alert recipients: the e-mail flag, else the app's addresses; at least one. */
  private budgetEmails(stack: Stack, options: SandboxLifetimeOptions): string[] {
    const key = SandboxLifetime.BUDGET_EMAIL_CONTEXT_KEY;
    const emails = budgetEmailsFrom(stack, key, stack.node.tryGetContext(key), options.budgetEmails);
    Validate.that(stack, emails.length > 0, {
      prop: key,
      value: stack.node.tryGetContext(key),
      allowed: `1-10 e-mail addresses (comma-separated) for the alerts of ${SandboxLifetime.BUDGET_CONTEXT_KEY}`,
      hint: 'A budget without an alert warns nobody; set the flag, or pass the app\'s alarm e-mails to SandboxLifetime.apply.',
    });
    return emails;
  }
}

/** Whether CloudFormation will have a service role for this stack (the synthesizer passes one). */
function hasExecutionRole(stack: Stack): boolean {
  const synthesizer = stack.synthesizer;
  if (!(synthesizer instanceof DefaultStackSynthesizer)) return false;
  try {
    return Boolean(synthesizer.cloudFormationExecutionRoleArn);
  } catch {
    return false;
  }
}

/**
 * Resource types that CloudFormation snapshots when their DeletionPolicy is not set.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-attribute-deletionpolicy.html
 */
const SNAPSHOT_BY_DEFAULT = new Set(['AWS::RDS::DBCluster', 'AWS::RDS::DBInstance', 'AWS::Neptune::DBCluster', 'AWS::DocDB::DBCluster']);

/** With a time-to-live, the deletion must leave nothing behind: every resource is deleted with the stack. */
class DeleteEverything implements IAspect {
  public visit(node: IConstruct): void {
    if (!CfnResource.isCfnResource(node)) return;
    const policy = node.cfnOptions.deletionPolicy;
    if ((policy !== undefined && policy !== CfnDeletionPolicy.DELETE) || (policy === undefined && SNAPSHOT_BY_DEFAULT.has(node.cfnResourceType))) {
      node.applyRemovalPolicy(RemovalPolicy.DESTROY);
    }
  }
}

/** Names each bucket that does not empty itself on deletion: its deletion fails while it holds objects. */
class WarnUnemptiedBuckets implements IAspect {
  public visit(node: IConstruct): void {
    if (node instanceof s3.CfnBucket && node.tags.tagValues()[AUTO_DELETE_TAG] !== 'true') {
      Annotations.of(node).addWarningV2('@analytics-patterns/core:SandboxBucketNotEmptied',
        `${node.node.path} does not empty itself on deletion (autoDeleteObjects): the time-to-live's stack deletion fails while it holds objects.`);
    }
  }
}

/** The tag aws-cdk-lib puts on buckets created with `autoDeleteObjects: true`. */
const AUTO_DELETE_TAG = 'aws-cdk:auto-delete-objects';
