import { Template } from 'aws-cdk-lib/assertions';
import { stateMachineDefinitions, taskActions } from '../src';

describe('taskActions', () => {
  test('SDK integrations whose IAM action is named differently map to the IAM action', () => {
    const definition = {
      StartAt: 'List',
      States: {
        List: { Type: 'Task', Resource: 'arn:aws:states:::aws-sdk:s3:listObjectsV2', Parameters: { Bucket: 'b' }, Next: 'Create' },
        Create: { Type: 'Task', Resource: 'arn:aws:states:::elasticmapreduce:createCluster', Parameters: {}, End: true },
      },
    };
    expect(taskActions(definition).map((t) => [t.state, t.actions])).toEqual([
      ['List', ['s3:ListBucket']],
      ['Create', ['elasticmapreduce:RunJobFlow']],
    ]);
  });
});

describe('stateMachineDefinitions', () => {
  test('a number parameter in a definition is read as a placeholder string', () => {
    const template = Template.fromJSON({
      Resources: {
        Sm: {
          Type: 'AWS::StepFunctions::StateMachine',
          Properties: { DefinitionString: { 'Fn::Join': ['', ['{"StartAt":"W","States":{"W":{"Type":"Wait","Seconds":', { Ref: 'Seconds' }, ',"End":true}}}']] } },
        },
      },
    });
    expect(stateMachineDefinitions(template).Sm.States.W.Seconds).toBe('REF_Seconds');
  });
});
