/**
 * The request's metrics and the CloudWatch Embedded Metric Format (EMF) document they leave as: values
 * gathered while one request runs, then one document with a `service`-dimensioned directive.
 *
 * Why not Powertools Metrics, which writes the same document: every `addMetric` there reads
 * `process.env` a few times (it scopes its store per invocation for Lambda Managed Instances, a
 * runtime mode this function does not run in): a request's 7 metrics and their document cost 30 us
 * there and 7-9 us here in a hot loop, twice that or more between requests that wait on the origin
 * (docs/memory-and-cost.md); this store is a Map. The document's shape is
 * pinned to Powertools' own output for the same metrics by test/emf.test.ts, which runs Powertools
 * Metrics (a dev dependency) beside this. Limits are the EMF specification's: a metric name of 1-255
 * characters, finite numbers, at most 100 values per metric and 100 metrics per document (this
 * function records about 20 names, one value each but the origin latency's, one per attempt).
 */

/** The units this function records (EMF allows more; none is needed). */
export type MetricUnitName = 'Count' | 'Milliseconds';

export interface EmfDirective {
  Namespace: string;
  Dimensions: string[][];
  Metrics: { Name: string; Unit: string }[];
}

/** An EMF document: the `_aws` metadata, the dimension values and the metric values at the root. */
export interface EmfDocument {
  _aws: { Timestamp: number; CloudWatchMetrics: EmfDirective[] };
  [member: string]: unknown;
}

export interface RequestMetricsOptions {
  readonly namespace: string;
  /** The value of the `service` dimension. */
  readonly serviceName: string;
  /** @default Date.now: the document's `Timestamp`, milliseconds since the epoch */
  readonly now?: () => number;
  /**
   * Root members the caller adds to a document (another dimension, e.g. route-metrics.ts's `Route`):
   * refused as metric names, like `_aws` and `service`, which a metric would overwrite. @default none
   */
  readonly reservedNames?: readonly string[];
}

/** The EMF specification's limits (also Powertools'). */
const MAX_NAME_LENGTH = 255;
const MAX_VALUES = 100;
const MAX_METRICS = 100;

interface Stored {
  readonly unit: MetricUnitName;
  value: number | number[];
}

/** The metrics of the request in progress; `take` turns them into its EMF document and starts afresh. */
export class RequestMetrics {
  readonly #stored = new Map<string, Stored>();
  readonly #namespace: string;
  readonly #service: string;
  readonly #now: () => number;
  readonly #reserved: ReadonlySet<string>;

  constructor({ namespace, serviceName, now = Date.now, reservedNames = [] }: RequestMetricsOptions) {
    this.#namespace = namespace;
    this.#service = serviceName;
    this.#now = now;
    this.#reserved = new Set(['_aws', 'service', ...reservedNames]);
  }

  /**
   * Records `value`; a name recorded again keeps every value (an array, as EMF reads it). Throws a
   * RangeError for a name or value CloudWatch would reject, or a different unit under a name already
   * recorded: the caller's bug, named.
   */
  add(name: string, unit: MetricUnitName, value: number): void {
    if (!Number.isFinite(value)) throw new RangeError(`metric ${name}: ${value} is not a finite number`);
    const stored = this.#stored.get(name);
    if (stored === undefined) {
      if (name.length < 1 || name.length > MAX_NAME_LENGTH) throw new RangeError(`metric name "${name}": 1 to ${MAX_NAME_LENGTH} characters`);
      // At the document's root beside the metrics: a metric of such a name would overwrite it.
      if (this.#reserved.has(name)) throw new RangeError(`metric name "${name}" is taken by the document itself`);
      if (this.#stored.size >= MAX_METRICS) throw new RangeError(`metric ${name}: a document holds at most ${MAX_METRICS} metrics`);
      this.#stored.set(name, { unit, value });
      return;
    }
    if (stored.unit !== unit) throw new RangeError(`metric ${name} was recorded in ${stored.unit}, not ${unit}`);
    if (!Array.isArray(stored.value)) stored.value = [stored.value];
    if (stored.value.length >= MAX_VALUES) throw new RangeError(`metric ${name}: at most ${MAX_VALUES} values per document`);
    stored.value.push(value);
  }

  get size(): number {
    return this.#stored.size;
  }

  /**
   * The document of what was recorded since the last call, and the store emptied; undefined when
   * nothing was. What is recorded after a request's document was taken (work that ends after the
   * response, e.g. an S3 delete's CacheError) goes out in the next request's: CloudWatch sums
   * counts per period, so nothing is lost, only attributed to a later request's timestamp.
   */
  take(): EmfDocument | undefined {
    if (this.#stored.size === 0) return undefined;
    const metrics: EmfDirective['Metrics'] = [];
    const doc: EmfDocument = {
      _aws: { Timestamp: this.#now(), CloudWatchMetrics: [{ Namespace: this.#namespace, Dimensions: [['service']], Metrics: metrics }] },
      service: this.#service,
    };
    for (const [name, { unit, value }] of this.#stored) {
      metrics.push({ Name: name, Unit: unit });
      doc[name] = value;
    }
    this.#stored.clear();
    return doc;
  }

  /** Drops what was recorded (metrics disabled: nothing is published). */
  clear(): void {
    this.#stored.clear();
  }
}
