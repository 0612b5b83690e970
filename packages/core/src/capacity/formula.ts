/** Rounds up, ignoring floating-point noise such as 3.0000000000000004. */
export function ceil(x: number): number {
  return Math.ceil(Number(x.toFixed(9)));
}

/** Throws a clear error for a bad formula input. */
export function requireNumber(name: string, value: number, min: number, max: number, integer = false): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
    const kind = integer ? 'a whole number' : 'a number';
    throw new Error(`invalid ${name}: ${JSON.stringify(value)}. Allowed: ${kind} from ${min} to ${max}.`);
  }
}
