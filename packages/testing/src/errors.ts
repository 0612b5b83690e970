/** What a prop validation error must name. */
export interface ExpectedPropError {
  /** The construct path the message must name (exactly, inside the leading brackets). */
  readonly path: string;
  /** The prop the message must name. */
  readonly prop: string;
  /** A rendering of the value that must appear in the message. */
  readonly value?: string;
  /** A fragment of the allowed range that must appear in the message. */
  readonly allowed?: string;
}

/**
 * Runs `fn` and checks that it throws a PropValidationError whose message names
 * the construct path, the prop, the value and the allowed range. Throws otherwise.
 * Returns the message for further assertions.
 */
export function expectPropError(fn: () => unknown, expected: ExpectedPropError): string {
  let error: unknown;
  try {
    fn();
  } catch (e) {
    error = e;
  }
  if (!(error instanceof Error)) {
    throw new Error(`expected a PropValidationError for ${expected.prop} at ${expected.path}, but nothing was thrown`);
  }
  const msg = error.message;
  const problems: string[] = [];
  if (error.name !== 'PropValidationError') problems.push(`error is a ${error.name}, not a PropValidationError`);
  if (!msg.startsWith(`[${expected.path}] `)) problems.push(`does not start with the construct path [${expected.path}]`);
  if (!msg.includes(`invalid ${expected.prop}:`)) problems.push(`does not name the prop ${expected.prop}`);
  if (expected.value !== undefined && !msg.includes(expected.value)) problems.push(`does not show the value ${expected.value}`);
  if (expected.allowed !== undefined && !msg.includes('Allowed: ')) problems.push('does not say what is allowed');
  if (expected.allowed !== undefined && !msg.includes(expected.allowed)) problems.push(`does not show the allowed range ${expected.allowed}`);
  if (problems.length > 0) {
    throw new Error(`unexpected validation error message:\n  ${msg}\nproblems:\n  - ${problems.join('\n  - ')}`);
  }
  return msg;
}
