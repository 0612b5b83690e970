import { Limit, NameRule } from '../validation/limit';

const GIB_PER_TIB = 1024;

/** Largest gp3 EBS volume per data node, GiB, by instance type (AWS's "EBS volume size quotas" table). */
const GP3_MAX_GIB: Record<string, number> = {
  't3.small.search': 100,
  't3.medium.search': 200,
  'm5.large.search': 1 * GIB_PER_TIB,
  'm5.xlarge.search': 2 * GIB_PER_TIB,
  'm5.2xlarge.search': 3 * GIB_PER_TIB,
  'm5.4xlarge.search': 6 * GIB_PER_TIB,
  'm5.12xlarge.search': 18 * GIB_PER_TIB,
  'm6g.large.search': 1 * GIB_PER_TIB,
  'm6g.xlarge.search': 2 * GIB_PER_TIB,
  'm6g.2xlarge.search': 3 * GIB_PER_TIB,
  'm6g.4xlarge.search': 6 * GIB_PER_TIB,
  'm6g.8xlarge.search': 12 * GIB_PER_TIB,
  'm6g.12xlarge.search': 18 * GIB_PER_TIB,
  'c5.large.search': 256,
  'c5.xlarge.search': 512,
  'c5.2xlarge.search': 1 * GIB_PER_TIB,
  'c5.4xlarge.search': 1.5 * GIB_PER_TIB,
  'c5.9xlarge.search': 3.5 * GIB_PER_TIB,
  'c5.18xlarge.search': 7 * GIB_PER_TIB,
  'c6g.large.search': 256,
  'c6g.xlarge.search': 512,
  'c6g.2xlarge.search': 1 * GIB_PER_TIB,
  'c6g.4xlarge.search': 1.5 * GIB_PER_TIB,
  'c6g.8xlarge.search': 3 * GIB_PER_TIB,
  'c6g.12xlarge.search': 4.5 * GIB_PER_TIB,
  'r5.large.search': 2 * GIB_PER_TIB,
  'r5.xlarge.search': 3 * GIB_PER_TIB,
  'r5.2xlarge.search': 6 * GIB_PER_TIB,
  'r5.4xlarge.search': 12 * GIB_PER_TIB,
  'r5.12xlarge.search': 24 * GIB_PER_TIB,
  'r6g.large.search': 2 * GIB_PER_TIB,
  'r6g.xlarge.search': 3 * GIB_PER_TIB,
  'r6g.2xlarge.search': 6 * GIB_PER_TIB,
  'r6g.4xlarge.search': 12 * GIB_PER_TIB,
  'r6g.8xlarge.search': 16 * GIB_PER_TIB,
  'r6g.12xlarge.search': 24 * GIB_PER_TIB,
};

/**
 * Limits of Amazon OpenSearch Service domains (notes 4.2).
 */
export class OpenSearchLimits {
  /**
   * Availability Zones a domain spreads over with zone awareness (one subnet per zone).
   * @see https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-multiaz.html
   */
  public static readonly AVAILABILITY_ZONES: Limit = { min: 2, max: 3, unit: 'zones', integer: true };

  /**
   * Data nodes of a domain. The default quota is 80 instances per domain (raised on
   * request); the largest domains AWS supports hold 1,002 data nodes.
   * @see https://docs.aws.amazon.com/opensearch-service/latest/developerguide/limits.html
   */
  public static readonly DATA_NODES: Limit = { min: 1, max: 1002, unit: 'nodes', integer: true };

  /**
   * Dedicated master nodes: 3 or 5 (an odd count, so a majority can elect a leader; 5 is
   * also the per-domain quota).
   * @see https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-dedicatedmasternodes.html
   */
  public static readonly MASTER_NODE_COUNTS: number[] = [3, 5];

  /**
   * UltraWarm nodes of a domain: at least 2 when UltraWarm is on, at most 150.
   * @see https://docs.aws.amazon.com/opensearch-service/latest/developerguide/limits.html
   */
  public static readonly WARM_NODES: Limit = { min: 2, max: 150, unit: 'nodes', integer: true };

  /**
   * EBS volume size per data node, GiB, over all instance types (10 GiB to the largest
   * gp3 cap of the table, 24 TiB); {@link OpenSearchLimits.volumeSizeGiB} gives the cap of
   * one instance type.
   * @see https://docs.aws.amazon.com/opensearch-service/latest/developerguide/limits.html#ebsresource
   */
  public static readonly VOLUME_SIZE_GIB: Limit = { min: 10, max: 24 * GIB_PER_TIB, unit: 'GiB', integer: true };

  /**
   * Domain name: 3-28 lower-case letters, digits and hyphens, starting with a letter.
   * @see https://docs.aws.amazon.com/opensearch-service/latest/APIReference/API_CreateDomain.html
   */
  public static readonly DOMAIN_NAME: NameRule = {
    pattern: '^[a-z][a-z0-9-]+$', description: 'lower-case letters, digits and "-", starting with a letter', minLength: 3, maxLength: 28,
  };

  /**
   * Instance type names (`<family>.<size>.search`).
   * @see https://docs.aws.amazon.com/opensearch-service/latest/developerguide/supported-instance-types.html
   */
  public static readonly INSTANCE_TYPE: NameRule = { pattern: '^[a-z0-9]+\\.[a-z0-9]+\\.search$', description: 'an OpenSearch instance type such as r7g.large.search' };

  /**
   * Access policy document of a domain, bytes.
   * @see https://docs.aws.amazon.com/opensearch-service/latest/developerguide/limits.html
   */
  public static readonly ACCESS_POLICY_BYTES: Limit = { min: 1, max: 100 * 1024, unit: 'bytes', integer: true };

  /**
   * The gp3 volume size range, GiB, of one instance type: its row of AWS's table, or the
   * range over all types for a type the table does not list (newer generations such as
   * r7g are then checked against the overall 24 TiB cap only).
   * @see https://docs.aws.amazon.com/opensearch-service/latest/developerguide/limits.html#ebsresource
   */
  public static volumeSizeGiB(instanceType: string): Limit {
    const max = GP3_MAX_GIB[instanceType];
    return max === undefined ? OpenSearchLimits.VOLUME_SIZE_GIB : { ...OpenSearchLimits.VOLUME_SIZE_GIB, max };
  }

  private constructor() {}
}
