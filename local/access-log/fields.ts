/**
 * The fields of an Application Load Balancer access log entry, in the order AWS writes them.
 *
 * Source: Elastic Load Balancing user guide, "Access logs for your Application Load Balancer",
 * section "Access log entries" (docs.aws.amazon.com/elasticloadbalancing/latest/application/
 * load-balancer-access-logs.html). AWS only ever appends fields ("You should ignore any fields at
 * the end of the log entry that you were not expecting"), so an entry is a prefix of this list plus
 * possibly unknown trailing fields, which the parser keeps in `extra`.
 */
export const ALB_LOG_FIELDS = [
  'type',
  'time',
  'elb',
  'client:port',
  'target:port',
  'request_processing_time',
  'target_processing_time',
  'response_processing_time',
  'elb_status_code',
  'target_status_code',
  'received_bytes',
  'sent_bytes',
  'request',
  'user_agent',
  'ssl_cipher',
  'ssl_protocol',
  'target_group_arn',
  'trace_id',
  'domain_name',
  'chosen_cert_arn',
  'matched_rule_priority',
  'request_creation_time',
  'actions_executed',
  'redirect_url',
  'error_reason',
  'target:port_list',
  'target_status_code_list',
  'classification',
  'classification_reason',
  'conn_trace_id',
  'transformed_host',
  'transformed_uri',
  'request_transform_status',
] as const;

export type AlbLogFieldName = (typeof ALB_LOG_FIELDS)[number];

/**
 * Fields a line must have to be analysed: everything up to the quoted request line. Older log
 * files (before AWS appended trace_id, domain_name, error_reason, ...) stop earlier than today's,
 * and a missing later field reads as `null`.
 */
export const MIN_FIELDS = ALB_LOG_FIELDS.indexOf('request') + 1;

/** One access log entry. Every `-` in the log reads as `null` (or `[]` for a list). */
export interface AlbLogEntry {
  /** `http`, `https`, `h2`, `grpcs`, `ws` or `wss`; AWS says to accept others too. */
  type: string;
  /** When the load balancer generated the response (WebSockets: when the connection closed), ISO 8601 as logged. */
  time: string;
  /** `time` as epoch milliseconds (the log has microseconds; `time` keeps them). */
  timeMs: number;
  /** Load balancer resource ID, e.g. `app/my-loadbalancer/50dc6c495c0c9188` (may contain `/`). */
  elb: string;
  clientIp: string;
  clientPort: number;
  /** `null` when no target was reached: a Lambda target, an incomplete request, a WAF block. */
  targetIp: string | null;
  targetPort: number | null;
  /** Seconds from receiving the request to sending it to the target; `-1` if it could not be dispatched. */
  requestProcessingTime: number | null;
  /** Seconds from sending to the target until the target started its response headers; `-1` if the target did not answer. */
  targetProcessingTime: number | null;
  /** Seconds from receiving the target's response header to starting to send to the client; `-1` if not sent. */
  responseProcessingTime: number | null;
  /** Status the load balancer sent to the client. */
  elbStatusCode: number | null;
  /** Status the target answered with; `null` when no connection was made or no response came. */
  targetStatusCode: number | null;
  receivedBytes: number | null;
  sentBytes: number | null;
  /** The quoted request line as logged: `METHOD scheme://host:port/uri VERSION`. */
  request: string;
  /** Method, URL and protocol split from `request`; `null` for the `- - -` of an unparsable request. */
  method: string | null;
  url: string | null;
  protocol: string | null;
  userAgent: string | null;
  sslCipher: string | null;
  sslProtocol: string | null;
  targetGroupArn: string | null;
  /** Contents of the X-Amzn-Trace-Id header. */
  traceId: string | null;
  /** SNI domain (HTTPS listeners). */
  domainName: string | null;
  /** Certificate ARN presented to the client, or `session-reused`. */
  chosenCertArn: string | null;
  /** 1..50000 for a rule, 0 for the default action, -1 for a rule evaluation error. */
  matchedRulePriority: number | null;
  requestCreationTime: string | null;
  requestCreationTimeMs: number | null;
  /** e.g. `['authenticate', 'forward']`; empty when no action was taken. */
  actionsExecuted: string[];
  redirectUrl: string | null;
  /**
   * Why the request failed: Lambda targets (`LambdaUnhandled`, `LambdaInvalidResponse`, ...),
   * authentication (`Auth*`), WAF (`WAF*`), weighted target groups. Athena calls it
   * `lambda_error_reason`.
   */
  errorReason: string | null;
  targetPortList: string[];
  targetStatusCodeList: number[];
  /** Desync mitigation: `Acceptable`, `Ambiguous` or `Severe` for a request that does not comply with RFC 7230. */
  classification: string | null;
  classificationReason: string | null;
  /** Connection traceability ID, the key shared with the connection logs. */
  connTraceId: string | null;
  /** Host header after a listener rule transform. */
  transformedHost: string | null;
  /** URI after a listener rule transform. */
  transformedUri: string | null;
  requestTransformStatus: string | null;
  /** Fields after the last documented one, unquoted, as AWS appends new fields over time. */
  extra: string[];
}
