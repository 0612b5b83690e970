import { Duration, Size, SizeRoundingBehavior } from 'aws-cdk-lib';

/** A unit a construct converts a `Duration` to before it renders it into a template. */
export enum TimeUnit {
  /** Milliseconds. */
  MILLISECONDS = 'milliseconds',
  /** Seconds. */
  SECONDS = 'seconds',
  /** Minutes. */
  MINUTES = 'minutes',
  /** Hours. */
  HOURS = 'hours',
  /** Days. */
  DAYS = 'days',
}

/** A unit a construct converts a `Size` to before it renders it into a template. */
export enum SizeUnit {
  /** Bytes. */
  BYTES = 'bytes',
  /** KiB. */
  KIBIBYTES = 'KiB',
  /** MiB. */
  MEBIBYTES = 'MiB',
  /** GiB. */
  GIBIBYTES = 'GiB',
  /** TiB. */
  TEBIBYTES = 'TiB',
}

/** @internal the exact value of `d` in `unit`, possibly fractional; throws for a token in another unit */
export function durationIn(d: Duration, unit: TimeUnit): number {
  const opts = { integral: false };
  switch (unit) {
    case TimeUnit.MILLISECONDS: return d.toMilliseconds(opts);
    case TimeUnit.SECONDS: return d.toSeconds(opts);
    case TimeUnit.MINUTES: return d.toMinutes(opts);
    case TimeUnit.HOURS: return d.toHours(opts);
    default: return d.toDays(opts);
  }
}

/** @internal the exact value of `s` in `unit`, possibly fractional; throws for a token in another unit */
export function sizeIn(s: Size, unit: SizeUnit): number {
  const opts = { rounding: SizeRoundingBehavior.NONE };
  switch (unit) {
    case SizeUnit.BYTES: return s.toBytes(opts);
    case SizeUnit.KIBIBYTES: return s.toKibibytes(opts);
    case SizeUnit.MEBIBYTES: return s.toMebibytes(opts);
    case SizeUnit.GIBIBYTES: return s.toGibibytes(opts);
    default: return s.toTebibytes(opts);
  }
}

/** @internal how a user writes a token Duration/Size in `unit`, for messages */
export function factoryFor(unit: TimeUnit | SizeUnit): string {
  switch (unit) {
    case TimeUnit.MILLISECONDS: return 'Duration.millis(...)';
    case TimeUnit.SECONDS: return 'Duration.seconds(...)';
    case TimeUnit.MINUTES: return 'Duration.minutes(...)';
    case TimeUnit.HOURS: return 'Duration.hours(...)';
    case TimeUnit.DAYS: return 'Duration.days(...)';
    case SizeUnit.BYTES: return 'Size.bytes(...)';
    case SizeUnit.KIBIBYTES: return 'Size.kibibytes(...)';
    case SizeUnit.MEBIBYTES: return 'Size.mebibytes(...)';
    case SizeUnit.GIBIBYTES: return 'Size.gibibytes(...)';
    default: return 'Size.tebibytes(...)';
  }
}
