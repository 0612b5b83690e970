import * as crypto from 'crypto';
import { TaskError } from './sfn-executor';

/** One stored version of an object. */
export interface StoredObject {
  readonly body: string;
  readonly etag: string;
  readonly versionId: string;
}

/**
 * An in-memory, versioned S3 bucket set for tests: what the state machine's S3 tasks call
 * (getObject, headObject, putObject) and what the PostgreSQL harness reads for COPY. ETags are
 * the MD5 of the body, as S3 computes them for single-part uploads, so a byte-identical rewrite
 * keeps its ETag and only the version id changes.
 */
/** Faults a test can inject: every call of an action fails with this error (e.g. `S3.SlowDown`). */
export type S3Faults = Partial<Record<'getObject' | 'headObject' | 'putObject', string>>;

export class FakeS3 {
  public readonly faults: S3Faults = {};
  private readonly objects = new Map<string, StoredObject>();
  private nextVersion = 1;
  public readonly calls: Array<{ action: string; key: string }> = [];

  public put(bucket: string, key: string, body: string): StoredObject {
    const obj = { body, etag: crypto.createHash('md5').update(body).digest('hex'), versionId: `v${this.nextVersion++}` };
    this.objects.set(`${bucket}/${key}`, obj);
    return obj;
  }

  public get(bucket: string, key: string): StoredObject | undefined {
    return this.objects.get(`${bucket}/${key}`);
  }

  /** Body of `s3://bucket/key` (throws when missing), for the COPY harness. */
  public read(uri: string): string {
    const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(uri);
    const obj = m ? this.get(m[1], m[2]) : undefined;
    if (!obj) throw new Error(`S3 object ${uri} does not exist`);
    return obj.body;
  }

  /** Handlers for the executor, keyed `s3:<action>`. */
  public handlers(): Record<string, (args: any) => any> {
    const fault = (action: keyof S3Faults, args: any) => {
      const error = this.faults[action];
      if (error) throw new TaskError(error, `injected ${action} failure for ${args.Key}`);
    };
    const find = (action: 'getObject' | 'headObject', args: any) => {
      this.calls.push({ action, key: args.Key });
      fault(action, args);
      const obj = this.get(args.Bucket, args.Key);
      if (!obj) throw new TaskError('S3.NoSuchKeyException', `The specified key does not exist: ${args.Key}`);
      return obj;
    };
    return {
      's3:getObject': (args) => {
        const o = find('getObject', args);
        return { Body: o.body, ETag: `"${o.etag}"`, VersionId: o.versionId, ContentLength: Buffer.byteLength(o.body) };
      },
      's3:headObject': (args) => {
        const o = find('headObject', args);
        return { ETag: `"${o.etag}"`, VersionId: o.versionId, ContentLength: Buffer.byteLength(o.body) };
      },
      's3:putObject': (args) => {
        this.calls.push({ action: 'putObject', key: args.Key });
        fault('putObject', args);
        const o = this.put(args.Bucket, args.Key, args.Body);
        return { ETag: `"${o.etag}"`, VersionId: o.versionId };
      },
    };
  }
}

/** A Redshift manifest listing `urls` (with content_length, as Parquet COPY needs). */
export function manifestOf(s3: FakeS3, urls: string[]): string {
  return JSON.stringify({
    entries: urls.map((url) => ({ url, mandatory: true, meta: { content_length: Buffer.byteLength(s3.read(url)) } })),
  });
}
