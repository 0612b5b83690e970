/** Options of a connector with a fixed number of workers. */
export interface ProvisionedConnectorCapacityOptions {
  /** Workers (1-10). */
  readonly workerCount: number;
  /**
   * MSK Connect units per worker (1 vCPU and 4 GiB each): 1, 2, 4 or 8.
   * @default 1
   */
  readonly mcuCount?: number;
}

/** Options of a connector whose worker count MSK Connect scales on CPU utilization. */
export interface AutoScalingConnectorCapacityOptions {
  /**
   * MSK Connect units per worker (1 vCPU and 4 GiB each): 1, 2, 4 or 8.
   * @default 1
   */
  readonly mcuCount?: number;
  /**
   * Fewest workers (1-10).
   * @default 1
   */
  readonly minWorkers?: number;
  /**
   * Most workers (1-10, at least `minWorkers`).
   * @default 2
   */
  readonly maxWorkers?: number;
  /**
   * CPU utilization (1-100 %) below which a worker is removed; below `scaleOutCpuPercent`.
   * @default 20
   */
  readonly scaleInCpuPercent?: number;
  /**
   * CPU utilization (1-100 %) above which a worker is added.
   * @default 80
   */
  readonly scaleOutCpuPercent?: number;
}

/**
 * How much compute an MSK Connect connector gets: a fixed number of workers, or a range that
 * MSK Connect scales on CPU utilization (it then sets the connector's `tasks.max`).
 * @see https://docs.aws.amazon.com/msk/latest/developerguide/msk-connect-capacity.html
 */
export class ConnectorCapacity {
  /** A fixed number of workers. */
  public static provisioned(options: ProvisionedConnectorCapacityOptions): ConnectorCapacity {
    return new ConnectorCapacity(options, undefined);
  }

  /** Workers scaled on CPU utilization between a minimum and a maximum. */
  public static autoScaling(options: AutoScalingConnectorCapacityOptions = {}): ConnectorCapacity {
    return new ConnectorCapacity(undefined, options);
  }

  /** The fixed capacity, if this is one. */
  public readonly provisionedOptions?: ProvisionedConnectorCapacityOptions;
  /** The scaled capacity, if this is one. */
  public readonly autoScalingOptions?: AutoScalingConnectorCapacityOptions;

  private constructor(provisioned?: ProvisionedConnectorCapacityOptions, autoScaling?: AutoScalingConnectorCapacityOptions) {
    this.provisionedOptions = provisioned;
    this.autoScalingOptions = autoScaling;
  }
}
