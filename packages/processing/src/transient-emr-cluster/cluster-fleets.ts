// Internal helper of TransientEmrCluster (not exported from the package index): instance
// fleets, managed scaling and state names. Pure functions; never computes with a token.
import { StepFunctionsLimits } from '@analytics-patterns/core';
import { Duration, Token } from 'aws-cdk-lib';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { DEFAULT_CORE_CAPACITY, DEFAULT_TASK_SPOT_CAPACITY } from './cluster-validation';
import { TransientEmrClusterProps } from './transient-emr-cluster-props';

const DEFAULT_TYPES = ['m5.xlarge', 'm5a.xlarge', 'm6i.xlarge'];
const DEFAULT_TASK_TYPES = ['m5.xlarge', 'm5a.xlarge', 'm6i.xlarge', 'r5.xlarge'];
const DEFAULT_SPOT_TIMEOUT = Duration.minutes(10);

type Fleet = tasks.EmrCreateCluster.InstanceFleetConfigProperty;
const ON_DEMAND = { allocationStrategy: tasks.EmrCreateCluster.OnDemandAllocationStrategy.LOWEST_PRICE };
const weighted = (types: string[]) => types.map((instanceType) => ({ instanceType, weightedCapacity: 1 }));

/**
 * The instance fleets: master (one on-demand unit), core (on-demand; left out only when its
 * capacity is a resolved 0, never when it is a token) and the optional Spot task fleet.
 */
export function instanceFleets(props: TransientEmrClusterProps): Fleet[] {
  const fleets: Fleet[] = [{
    instanceFleetType: tasks.EmrCreateCluster.InstanceRoleType.MASTER,
    name: 'Master',
    targetOnDemandCapacity: 1,
    instanceTypeConfigs: weighted(props.master?.instanceTypes ?? DEFAULT_TYPES),
    launchSpecifications: { onDemandSpecification: ON_DEMAND },
  }];
  const coreCapacity = props.core?.onDemandCapacity ?? DEFAULT_CORE_CAPACITY;
  if (Token.isUnresolved(coreCapacity) || coreCapacity > 0) {
    fleets.push({
      instanceFleetType: tasks.EmrCreateCluster.InstanceRoleType.CORE,
      name: 'Core',
      targetOnDemandCapacity: coreCapacity,
      instanceTypeConfigs: weighted(props.core?.instanceTypes ?? DEFAULT_TYPES),
      launchSpecifications: { onDemandSpecification: ON_DEMAND },
    });
  }
  if (props.task) fleets.push(taskFleet(props));
  return fleets;
}

function taskFleet(props: TransientEmrClusterProps): Fleet {
  const t = props.task!;
  return {
    instanceFleetType: tasks.EmrCreateCluster.InstanceRoleType.TASK,
    name: 'Task',
    targetSpotCapacity: t.spotCapacity ?? DEFAULT_TASK_SPOT_CAPACITY,
    targetOnDemandCapacity: t.onDemandCapacity ?? 0,
    instanceTypeConfigs: weighted(t.instanceTypes ?? DEFAULT_TASK_TYPES),
    launchSpecifications: {
      spotSpecification: {
        allocationStrategy: tasks.EmrCreateCluster.SpotAllocationStrategy.PRICE_CAPACITY_OPTIMIZED,
        timeoutAction: (t.switchToOnDemand ?? true)
          ? tasks.EmrCreateCluster.SpotTimeoutAction.SWITCH_TO_ON_DEMAND
          : tasks.EmrCreateCluster.SpotTimeoutAction.TERMINATE_CLUSTER,
        timeout: t.spotTimeout ?? DEFAULT_SPOT_TIMEOUT,
      },
      onDemandSpecification: ON_DEMAND,
    },
  };
}

/** EMR managed scaling limits (in fleet units), or undefined without `managedScaling`. */
export function managedScalingPolicy(props: TransientEmrClusterProps): tasks.EmrCreateCluster.ManagedScalingPolicyProperty | undefined {
  const s = props.managedScaling;
  if (!s) return undefined;
  return {
    computeLimits: {
      unitType: tasks.EmrCreateCluster.ComputeLimitsUnitType.INSTANCE_FLEET_UNITS,
      minimumCapacityUnits: s.minimumCapacityUnits,
      maximumCapacityUnits: s.maximumCapacityUnits,
      maximumOnDemandCapacityUnits: s.maximumOnDemandCapacityUnits ?? s.maximumCapacityUnits,
      maximumCoreCapacityUnits: s.maximumCoreCapacityUnits ?? s.maximumCapacityUnits,
    },
  };
}

/**
 * The name of the state that runs step `index` (0-based): `Step<n>-<step name>`, with every
 * character Step Functions or CloudWatch Logs would refuse replaced by `-`, cut to 80
 * characters. The `Step<n>` prefix keeps names unique; a token step name gives `Step<n>`.
 */
export function stepStateName(index: number, stepName: string): string {
  const prefix = `Step${index + 1}`;
  if (Token.isUnresolved(stepName)) return prefix;
  const safe = stepName.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '');
  return (safe === '' ? prefix : `${prefix}-${safe}`).slice(0, StepFunctionsLimits.STATE_NAME.maxLength);
}
