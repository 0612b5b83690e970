import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SchedulerPrincipal } from '../src';

test('SchedulerPrincipal.ofDefaultGroup: EventBridge Scheduler, for this account\'s default schedule group only', () => {
  const stack = new Stack(new App(), 'S', { env: { account: '123456789012', region: 'eu-west-1' } });
  new iam.Role(stack, 'R', { assumedBy: SchedulerPrincipal.ofDefaultGroup(stack) });
  expect(Object.values(Template.fromStack(stack).findResources('AWS::IAM::Role'))[0].Properties.AssumeRolePolicyDocument).toEqual({
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Action: 'sts:AssumeRole',
      Principal: { Service: 'scheduler.amazonaws.com' },
      Condition: {
        StringEquals: {
          'aws:SourceAccount': '123456789012',
          'aws:SourceArn': { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':scheduler:eu-west-1:123456789012:schedule-group/default']] },
        },
      },
    }],
  });
});
