import { Limit } from '../validation/limit';

/** Documented limits of AWS CloudHSM clusters. */
export class CloudHsmLimits {
  /**
   * How long CloudHSM keeps a cluster's backups, in whole days.
   * @see https://docs.aws.amazon.com/cloudhsm/latest/APIReference/API_BackupRetentionPolicy.html
   */
  public static readonly BACKUP_RETENTION_DAYS: Limit = { min: 7, max: 379, unit: 'days', integer: true };

  /**
   * HSM types that can run a cluster in non-FIPS mode (FIPS mode runs on every type).
   * @see https://docs.aws.amazon.com/cloudhsm/latest/userguide/cluster-hsm-types.html
   */
  public static readonly NON_FIPS_HSM_TYPES: string[] = ['hsm2m.medium'];

  private constructor() {}
}
