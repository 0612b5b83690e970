import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AlarmNotifications } from '../src';

describe('AlarmNotifications', () => {
  test('both ALARM and OK transitions go to the topic; without a topic the alarm has no actions', () => {
    const stack = new Stack(new App(), 'S');
    const metric = new cloudwatch.Metric({ namespace: 'N', metricName: 'M' });
    const notified = metric.createAlarm(stack, 'A', { threshold: 1, evaluationPeriods: 1 });
    const silent = metric.createAlarm(stack, 'B', { threshold: 1, evaluationPeriods: 1 });
    const topic = new sns.Topic(stack, 'T');
    AlarmNotifications.notify([notified], topic);
    AlarmNotifications.notify([silent], undefined);
    const alarms = Template.fromStack(stack).findResources('AWS::CloudWatch::Alarm');
    const topicRef = { Ref: stack.getLogicalId(topic.node.defaultChild as sns.CfnTopic) };
    const notifiedId = stack.getLogicalId(notified.node.defaultChild as cloudwatch.CfnAlarm);
    expect(alarms[notifiedId].Properties).toMatchObject({ AlarmActions: [topicRef], OKActions: [topicRef] });
    expect(alarms[stack.getLogicalId(silent.node.defaultChild as cloudwatch.CfnAlarm)].Properties.AlarmActions).toBeUndefined();
  });
});
