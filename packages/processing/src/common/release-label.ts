// Internal helper (not exported from the package index): EMR release labels.
import { Validate } from '@analytics-patterns/core';
import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

const LABEL = /^emr-(\d+)\.(\d+)\.(\d+)$/;

function version(label: string): number[] | undefined {
  const m = LABEL.exec(label);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function newer(a: number[], b: number[]): boolean {
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return false;
}

/**
 * Checks an EMR release label: `emr-x.y.z`, and either one of the `known` labels (newest
 * first) or newer than all of them (EMR publishes a release most months; a list in code is
 * always a little behind). Tokens pass unchecked.
 * @param oldest how the oldest accepted release is described in messages, e.g. "emr-6.6.0 or later"
 */
export function validateReleaseLabel(scope: IConstruct, prop: string, label: string, known: string[], oldest: string): void {
  if (Token.isUnresolved(label)) return;
  const v = version(label);
  Validate.that(scope, v !== undefined, { prop, value: label, allowed: 'emr-x.y.z, e.g. emr-7.12.0' });
  const newest = version(known[0])!;
  Validate.that(scope, known.includes(label) || newer(v!, newest), {
    prop,
    value: label,
    allowed: `${oldest}: a release EMR lists (${known[known.length - 1]} to ${known[0]}), or a newer one`,
  });
}
