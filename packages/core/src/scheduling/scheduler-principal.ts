import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { IConstruct } from 'constructs';

/**
 * The EventBridge Scheduler service principal, for the trust policy of a schedule's execution
 * role: only schedules of `scope`'s account in its default schedule group (`aws:SourceAccount`,
 * `aws:SourceArn`), against the confused deputy problem.
 * @see https://docs.aws.amazon.com/scheduler/latest/UserGuide/cross-service-confused-deputy-prevention.html
 */
export class SchedulerPrincipal {
  /** `scheduler.amazonaws.com`, for schedules of the default group of `scope`'s account and region. */
  public static ofDefaultGroup(scope: IConstruct): iam.IPrincipal {
    const stack = Stack.of(scope);
    return new iam.ServicePrincipal('scheduler.amazonaws.com').withConditions({
      StringEquals: {
        'aws:SourceAccount': stack.account,
        'aws:SourceArn': stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: 'default' }),
      },
    });
  }

  private constructor() {}
}
