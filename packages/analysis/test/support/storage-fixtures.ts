/**
 * Transitional test support: acknowledges the compliance-pack findings of the storage
 * package's buckets (SecureBucket data buckets without replication, their SSE-S3 access
 * log buckets) in the stacks of this package's tests. Those findings belong to the
 * storage package, whose rework (issue 15) answers them in SecureBucket itself; once it is
 * merged these acknowledgements match nothing and this file can go. Only these two rules,
 * only on storage buckets: every finding on this package's own resources still fails.
 */
import { NagAcknowledgements } from '@analytics-patterns/core';
import { AccessLogBucket, SecureBucket } from '@analytics-patterns/storage';
import { IConstruct } from 'constructs';

const REASON = 'Test fixture: a storage-package bucket; its replication and access-log encryption findings are answered by the storage package (issue 15).';

export function acknowledgeStorageBuckets(scope: IConstruct): void {
  for (const c of scope.node.findAll()) {
    if (c instanceof SecureBucket) NagAcknowledgements.acknowledgeCompliance(c.bucket, 'S3BucketReplicationEnabled', REASON);
    if (c instanceof AccessLogBucket) {
      NagAcknowledgements.acknowledgeCompliance(c, 'S3BucketReplicationEnabled', REASON);
      NagAcknowledgements.acknowledgeCompliance(c, 'S3DefaultEncryptionKMS', REASON);
    }
  }
}
