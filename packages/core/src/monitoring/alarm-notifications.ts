import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cw_actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as sns from 'aws-cdk-lib/aws-sns';

/** How this library's alarms notify: one SNS action for both ALARM and OK transitions. */
export class AlarmNotifications {
  /**
   * Sends the ALARM and OK transitions of `alarms` to `topic`.
   * @param topic the topic; when undefined the alarms keep no actions
   */
  public static notify(alarms: cloudwatch.Alarm[], topic?: sns.ITopic): void {
    if (!topic) return;
    const action = new cw_actions.SnsAction(topic);
    for (const alarm of alarms) {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
    }
  }

  private constructor() {}
}
