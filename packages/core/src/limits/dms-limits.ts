import { Limit } from '../validation/limit';

/** AWS DMS limits that constructs check at synth time. */
export class DmsLimits {
  /**
   * DMS Serverless capacity units (1 DCU = 2 GiB of RAM) a replication may be given as its
   * minimum or maximum; DMS uses 1 when no minimum is given.
   * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_ComputeConfig.html
   */
  public static readonly CAPACITY_UNITS: number[] = [1, 2, 4, 8, 16, 32, 64, 128, 192, 256, 384];

  /**
   * Endpoint engine names (`EngineName`) of the MySQL- and PostgreSQL-compatible sources,
   * which read their credentials from Secrets Manager through `MySqlSettings` or
   * `PostgreSqlSettings`.
   * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateEndpoint.html
   */
  public static readonly MYSQL_COMPATIBLE_ENGINES: string[] = ['mysql', 'mariadb', 'aurora'];

  /** @see https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateEndpoint.html */
  public static readonly POSTGRESQL_COMPATIBLE_ENGINES: string[] = ['postgres', 'aurora-postgresql'];

  /**
   * TCP port of a source endpoint.
   * @see https://docs.aws.amazon.com/dms/latest/APIReference/API_CreateEndpoint.html
   */
  public static readonly PORT: Limit = { min: 1, max: 65_535, integer: true };

  private constructor() {}
}
