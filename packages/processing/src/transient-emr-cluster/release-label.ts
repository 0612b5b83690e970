/** Parses an EMR release label `emr-x.y.z`; undefined if malformed. Internal helper (not exported from the package). */
export function parseReleaseLabel(label: string): [number, number, number] | undefined {
  const m = /^emr-(\d+)\.(\d+)\.(\d+)$/.exec(label);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}
