import { IConstruct } from 'constructs';

/**
 * Describes one invalid prop: what was given and what is allowed.
 */
export interface InvalidPropOptions {
  /** The prop's name as the user wrote it, e.g. `bufferingInterval` or `partitioning.fields[0]`. */
  readonly prop: string;
  /** The value that was given (rendered with JSON.stringify where possible). */
  readonly value: any;
  /** What is allowed, e.g. `0-900 seconds` or `one of: ON_DEMAND, PROVISIONED`. */
  readonly allowed: string;
  /** Optional extra explanation: why the rule exists or how to fix it. */
  readonly hint?: string;
}

/** @internal */
export interface InvalidPropDetails extends InvalidPropOptions {
  /** The construct that received the prop. */
  readonly scope: IConstruct;
}

/**
 * Error thrown at synth time for a prop that AWS would reject at deploy time
 * (or that breaks one of this library's invariants).
 *
 * The message always names the construct path, the prop, the value given and
 * what is allowed:
 *
 * `[Stack/Ingestion] invalid bufferingInterval: "1000 seconds". Allowed: 0-900 seconds.`
 *
 * Not part of the jsii API (jsii cannot export `Error` subclasses): throw it through
 * `Validate`, and recognise it with `Validate.isPropValidationError()`.
 */
export class PropValidationError extends Error {
  /** Renders a value for a message: strings quoted, objects as JSON, tokens as-is. */
  public static render(value: any): string {
    if (value === undefined) return 'undefined';
    if (typeof value === 'string') return JSON.stringify(value);
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }

  /** Path of the construct that received the prop. */
  public readonly constructPath: string;
  /** Name of the prop. */
  public readonly prop: string;
  /** What is allowed. */
  public readonly allowed: string;

  constructor(details: InvalidPropDetails) {
    const path = details.scope.node.path || '<root>';
    const hint = details.hint ? ` ${details.hint}` : '';
    super(`[${path}] invalid ${details.prop}: ${PropValidationError.render(details.value)}. Allowed: ${details.allowed}.${hint}`);
    this.name = 'PropValidationError';
    this.constructPath = path;
    this.prop = details.prop;
    this.allowed = details.allowed;
    Object.setPrototypeOf(this, PropValidationError.prototype);
  }
}
