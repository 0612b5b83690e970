/**
 * Each module loads only what it needs (issue 12): importing the security package must not
 * load aws-cdk-lib/aws-cloudhsm (absent before aws-cdk-lib 2.268.0); only building an
 * HsmCluster does, and without it the error names the construct and the version it needs.
 */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';

test('the package loads without aws-cdk-lib/aws-cloudhsm; HsmCluster alone fails, naming the version it needs', () => {
  jest.isolateModules(() => {
    jest.doMock('aws-cdk-lib/aws-cloudhsm', () => {
      throw new Error("Package subpath './aws-cloudhsm' is not defined by \"exports\"");
    });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const security = require('../src') as typeof import('../src');
    const stack = new Stack();
    expect(new security.DataKey(stack, 'Key').key).toBeDefined();
    const vpc = new ec2.Vpc(stack, 'Vpc', { maxAzs: 2, natGateways: 0, subnetConfiguration: [{ name: 'hsm', subnetType: ec2.SubnetType.PRIVATE_ISOLATED }] });
    expect(() => new security.HsmCluster(stack, 'Hsm', { vpc })).toThrow('[Default/Hsm] HsmCluster needs aws-cdk-lib 2.268.0 or later (aws-cdk-lib/aws-cloudhsm)');
  });
});
