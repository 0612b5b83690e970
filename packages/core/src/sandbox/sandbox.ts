import { RemovalPolicy } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * Sandbox mode for hands-on labs.
 *
 * Data is never lost by default: every stateful resource built by this library
 * is RETAINed. Setting the context flag `analytics-patterns:sandbox` to `true`
 * (for example `npx cdk deploy -c analytics-patterns:sandbox=true`, or in
 * `cdk.json`) switches a whole app to DESTROY with auto-delete of bucket
 * contents, so that `cdk destroy` leaves nothing billable behind.
 *
 * A construct never decides this by itself: it always asks `Sandbox`.
 */
export class Sandbox {
  /** The context key that turns sandbox mode on. */
  public static readonly CONTEXT_KEY = 'analytics-patterns:sandbox';

  /** Whether sandbox mode is on for `scope` (context value `true` or `"true"`). */
  public static isEnabled(scope: IConstruct): boolean {
    const value = scope.node.tryGetContext(Sandbox.CONTEXT_KEY);
    return value === true || value === 'true';
  }

  /** RETAIN normally; DESTROY in sandbox mode. */
  public static removalPolicy(scope: IConstruct): RemovalPolicy {
    return Sandbox.isEnabled(scope) ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
  }

  /** Whether buckets should empty themselves on deletion (sandbox mode only). */
  public static autoDeleteObjects(scope: IConstruct): boolean {
    return Sandbox.isEnabled(scope);
  }

  private constructor() {}
}
