// Internal helper (not exported from the package index): failure notices of state machines.
import { AlarmTopic, NagAcknowledgements } from '@analytics-patterns/core';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';

/** What a failure notice says. */
export interface FailureNotice {
  /** The topic; without one, failures go straight to `fail`. */
  readonly topic?: sns.ITopic;
  /** Subject of the message (at most 100 characters). */
  readonly subject: string;
  /** Fields of the message (JSONPath values allowed). */
  readonly message: Record<string, any>;
}

/**
 * `fail`, preceded by an SNS notice when a topic is given. The notice's own failure is caught
 * (the execution still fails with the original error). The state machine's role must then be
 * granted publishing with `AlarmTopic.grantPublish` (topic and key).
 */
export function notifyThenFail(scope: Construct, id: string, fail: sfn.Fail, notice: FailureNotice): sfn.IChainable {
  if (!notice.topic) return fail;
  const task = new tasks.SnsPublish(scope, id, {
    topic: notice.topic,
    subject: notice.subject,
    message: sfn.TaskInput.fromObject(notice.message),
    resultPath: sfn.JsonPath.DISCARD,
  });
  task.addCatch(fail, { resultPath: '$.notificationError' });
  return task.next(fail);
}

/**
 * Lets `role` publish failure notices to `topic`: `sns:Publish` and, for an encrypted topic,
 * `kms:GenerateDataKey*`/`kms:Decrypt` on its key through SNS (`AlarmTopic.grantPublish`). An
 * imported topic must carry its key (`sns.Topic.fromTopicAttributes({ topicArn, keyArn })`)
 * or the key half cannot be granted.
 */
export function grantNotices(topic: sns.ITopic | undefined, role: iam.IRole): void {
  if (!topic) return;
  AlarmTopic.grantPublish(topic, role);
  if (topic.masterKey) {
    NagAcknowledgements.wildcardAction(role, 'kms:GenerateDataKey*',
      'SNS asks KMS for a data key per message (GenerateDataKey and its WithoutPlaintext form) on behalf of the publisher; the statement is limited to the notification topic\'s key, through SNS only (kms:ViaService).');
  }
}
