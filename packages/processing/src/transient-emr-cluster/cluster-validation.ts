// Internal helper of TransientEmrCluster (not exported from the package index): prop checks.
import { EmrLimits, TimeUnit, Validate } from '@analytics-patterns/core';
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';
import { StepEngine } from './emr-script';
import { EmrApplication, S3Location, TransientEmrClusterProps } from './transient-emr-cluster-props';
import { validateReleaseLabel } from '../common/release-label';

const INSTANCE_TYPE = '^[a-z][a-z0-9-]*\\.[a-z0-9]+$';
const SPARK_CONF_KEY = '^spark\\.[A-Za-z0-9._-]+$';
const REALM = '^[A-Z0-9]+([.-][A-Z0-9]+)*$';
const CERTIFICATE_ZIP = '^[^/].*\\.zip$';

/** Default core capacity (units). */
export const DEFAULT_CORE_CAPACITY = 2;
/** Default Spot capacity of the task fleet (units). */
export const DEFAULT_TASK_SPOT_CAPACITY = 2;

const resolved = (n: number | undefined): n is number => n !== undefined && !Token.isUnresolved(n);

/**
 * Checks every prop of a TransientEmrCluster against what EMR and Step Functions accept,
 * and returns the applications to install. Token values are skipped where they cannot be
 * checked; nothing is computed from them.
 */
export function validateClusterProps(scope: IConstruct, props: TransientEmrClusterProps, releaseLabel: string): EmrApplication[] {
  // required by the cdk-nag EMR5/EMR6 guarantees; checked here for JavaScript callers
  Validate.that(scope, props.inTransitEncryption !== undefined, { prop: 'inTransitEncryption', value: undefined, allowed: 'required: TLS certificates (cdk-nag EMR5)' });
  Validate.that(scope, props.authentication !== undefined, { prop: 'authentication', value: undefined, allowed: 'required: ClusterAuthentication.keyPair() or .kerberos() (cdk-nag EMR6)' });
  validateReleaseLabel(scope, 'releaseLabel', releaseLabel, EmrLimits.RELEASE_LABELS,
    'emr-5.34.0 or later on 5.x, emr-6.4.0 or later (auto-termination idle timeout)');
  validateSteps(scope, props);
  const apps = validateApplications(scope, props);
  validateFleets(scope, props);
  validateScaling(scope, props);
  validateTimeouts(scope, props);
  validateAccess(scope, props);
  return apps;
}

function validateSteps(scope: IConstruct, props: TransientEmrClusterProps): void {
  Validate.count(scope, 'steps', EmrLimits.STEPS.min, EmrLimits.STEPS.max, props.steps);
  Validate.unique(scope, 'steps[].name', props.steps.map((s) => s.name));
  props.steps.forEach((s, i) => {
    Validate.resourceName(scope, `steps[${i}].name`, s.name, EmrLimits.STEP_NAME);
    Object.keys(s.sparkConf).forEach((k) => Validate.pattern(scope, `steps[${i}].sparkConf`, SPARK_CONF_KEY, 'keys starting with "spark." (letters, digits, ".", "_", "-")', k));
  });
}

function validateApplications(scope: IConstruct, props: TransientEmrClusterProps): EmrApplication[] {
  const engines = new Set(props.steps.map((s) => s.engine));
  const apps = props.applications ?? [EmrApplication.SPARK, ...(engines.has(StepEngine.HIVE) ? [EmrApplication.HIVE] : [])];
  Validate.count(scope, 'applications', EmrLimits.APPLICATIONS.min, EmrLimits.APPLICATIONS.max, apps);
  Validate.unique(scope, 'applications', apps);
  Validate.that(scope, !(apps.includes(EmrApplication.PRESTO) && apps.includes(EmrApplication.TRINO)), {
    prop: 'applications', value: apps, allowed: 'Presto or Trino, not both (EMR does not install PrestoDB and Trino on the same cluster)',
  });
  const needs: Array<[StepEngine, EmrApplication, string]> = [[StepEngine.SPARK, EmrApplication.SPARK, 'Spark'], [StepEngine.HIVE, EmrApplication.HIVE, 'Hive']];
  for (const [engine, app, name] of needs) {
    if (engines.has(engine)) {
      Validate.that(scope, apps.includes(app), { prop: 'applications', value: apps, allowed: `a list that includes ${name} (a ${name} step is given)` });
    }
  }
  return apps;
}

function validateInstanceTypes(scope: IConstruct, prop: string, types?: string[]): void {
  if (types === undefined) return;
  Validate.count(scope, prop, EmrLimits.INSTANCE_TYPES_PER_FLEET.min, EmrLimits.INSTANCE_TYPES_PER_FLEET.max, types);
  Validate.unique(scope, prop, types);
  types.forEach((t, i) => Validate.pattern(scope, `${prop}[${i}]`, INSTANCE_TYPE, 'an EC2 instance type such as m5.xlarge', t));
}

function validateFleets(scope: IConstruct, props: TransientEmrClusterProps): void {
  validateInstanceTypes(scope, 'master.instanceTypes', props.master?.instanceTypes);
  validateInstanceTypes(scope, 'core.instanceTypes', props.core?.instanceTypes);
  validateInstanceTypes(scope, 'task.instanceTypes', props.task?.instanceTypes);
  const core = props.core?.onDemandCapacity ?? DEFAULT_CORE_CAPACITY;
  Validate.number(scope, core, { prop: 'core.onDemandCapacity', ...EmrLimits.CAPACITY_UNITS });
  const task = props.task;
  if (!task) return;
  if (resolved(core)) {
    Validate.that(scope, core >= 1, {
      prop: 'core.onDemandCapacity', value: core, allowed: 'at least 1 when there are task nodes (a multi-node cluster needs at least one core node)',
    });
  }
  const spot = task.spotCapacity ?? DEFAULT_TASK_SPOT_CAPACITY;
  const onDemand = task.onDemandCapacity ?? 0;
  Validate.number(scope, spot, { prop: 'task.spotCapacity', ...EmrLimits.CAPACITY_UNITS });
  Validate.number(scope, onDemand, { prop: 'task.onDemandCapacity', ...EmrLimits.CAPACITY_UNITS });
  if (resolved(spot) && resolved(onDemand)) {
    Validate.that(scope, spot + onDemand > 0, { prop: 'task.spotCapacity', value: spot, allowed: 'spotCapacity + onDemandCapacity above 0 (or no task fleet)' });
  }
  Validate.duration(scope, task.spotTimeout, { prop: 'task.spotTimeout', in: TimeUnit.MINUTES, ...EmrLimits.SPOT_TIMEOUT_MINUTES });
}

function validateScaling(scope: IConstruct, props: TransientEmrClusterProps): void {
  const s = props.managedScaling;
  if (!s) return;
  const units = EmrLimits.CAPACITY_UNITS;
  Validate.number(scope, s.minimumCapacityUnits, { prop: 'managedScaling.minimumCapacityUnits', ...units, min: 1 });
  const min = resolved(s.minimumCapacityUnits) ? s.minimumCapacityUnits : 1;
  Validate.number(scope, s.maximumCapacityUnits, { prop: 'managedScaling.maximumCapacityUnits', ...units, min, hint: 'The maximum must be at least minimumCapacityUnits.' });
  const max = resolved(s.maximumCapacityUnits) ? s.maximumCapacityUnits : units.max;
  Validate.number(scope, s.maximumOnDemandCapacityUnits, { prop: 'managedScaling.maximumOnDemandCapacityUnits', ...units, max, hint: 'It must be at most maximumCapacityUnits.' });
  Validate.number(scope, s.maximumCoreCapacityUnits, { prop: 'managedScaling.maximumCoreCapacityUnits', ...units, min: 1, max, hint: 'It must be at most maximumCapacityUnits.' });
  const core = props.core?.onDemandCapacity ?? DEFAULT_CORE_CAPACITY;
  if (resolved(core)) {
    Validate.that(scope, core >= 1, { prop: 'managedScaling', value: 'given', allowed: 'only on a multi-node cluster (core.onDemandCapacity at least 1)' });
  }
}

function validateTimeouts(scope: IConstruct, props: TransientEmrClusterProps): void {
  // aws-cdk-lib's EmrCreateCluster (2.276) converts the idle timeout to check its range, even a token
  Validate.that(scope, !props.idleTimeout?.isUnresolved(), {
    prop: 'idleTimeout', value: props.idleTimeout?.toString(), allowed: 'a duration known at synth time (aws-cdk-lib\'s EmrCreateCluster checks its range and cannot take a token)',
  });
  Validate.duration(scope, props.idleTimeout, { prop: 'idleTimeout', in: TimeUnit.SECONDS, ...EmrLimits.IDLE_TIMEOUT_SECONDS });
  Validate.duration(scope, props.stepTimeout, { prop: 'stepTimeout', in: TimeUnit.SECONDS, ...EmrLimits.STEP_TIMEOUT_SECONDS });
  Validate.resourceName(scope, 'clusterName', props.clusterName, EmrLimits.CLUSTER_NAME);
}

function validateLocations(scope: IConstruct, prop: string, locations?: S3Location[]): void {
  (locations ?? []).forEach((l, i) => {
    if (l.prefix === undefined || Token.isUnresolved(l.prefix)) return;
    Validate.that(scope, !l.prefix.startsWith('/') && !l.prefix.includes('*'), {
      prop: `${prop}[${i}].prefix`, value: l.prefix, allowed: 'a key prefix without a leading "/" and without "*"',
    });
  });
}

function validateAccess(scope: IConstruct, props: TransientEmrClusterProps): void {
  const auth = props.authentication;
  Validate.resourceName(scope, 'authentication.keyName', auth.keyName, EmrLimits.KEY_PAIR_NAME);
  if (auth.kerberosOptions) {
    Validate.pattern(scope, 'authentication.kerberos.realm', REALM, 'an upper-case realm such as EC2.INTERNAL', auth.kerberosOptions.realm);
    Validate.duration(scope, auth.kerberosOptions.ticketLifetime, { prop: 'authentication.kerberos.ticketLifetime', in: TimeUnit.HOURS, ...EmrLimits.KERBEROS_TICKET_LIFETIME_HOURS });
  }
  Validate.pattern(scope, 'inTransitEncryption.certificateKey', CERTIFICATE_ZIP, 'the key of a .zip of PEM files, without a leading "/"', props.inTransitEncryption.certificateKey);
  validateLocations(scope, 'readLocations', props.readLocations);
  validateLocations(scope, 'writeLocations', props.writeLocations);
}
