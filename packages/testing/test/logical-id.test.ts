import { Template } from 'aws-cdk-lib/assertions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { logicalId, testStack } from '../src';

describe('logicalId', () => {
  const stack = testStack();
  const bucket = new s3.Bucket(stack, 'Data');
  const cfn = new s3.CfnBucket(stack, 'Raw');
  const ids = Object.keys(Template.fromStack(stack).findResources('AWS::S3::Bucket')).sort();

  test('an L2 resolves to its default child and an L1 to itself: the ids in the template', () => {
    expect(ids).toEqual(['Data666C94C7', 'Raw']);
    expect(logicalId(stack, bucket)).toBe('Data666C94C7');
    expect(logicalId(stack, cfn)).toBe('Raw');
  });

  test('a construct without a CloudFormation resource fails naming its path', () => {
    const empty = new Construct(stack, 'Empty');
    expect(() => logicalId(stack, empty))
      .toThrow('logicalId: TestStack/Empty is not a CloudFormation element and has no CloudFormation default child');
  });

  test('an unset optional member fails instead of yielding undefined', () => {
    const optional: s3.Bucket | undefined = undefined;
    expect(() => logicalId(stack, optional)).toThrow('logicalId: no construct given');
  });

  test('a default child that is not a CloudFormation element fails too', () => {
    const wrapper = new Construct(stack, 'Wrapper');
    new Construct(wrapper, 'Resource');
    expect(wrapper.node.defaultChild).toBeDefined();
    expect(() => logicalId(stack, wrapper)).toThrow('logicalId: TestStack/Wrapper is not a CloudFormation element');
  });
});
