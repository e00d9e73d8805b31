/**
 * A retry token bucket (one per route key and one container-wide ceiling, see `RetryGuards`).
 *
 * After Finagle's RetryBudget and the AWS SDK's retry quota: every
 * request deposits `ratio` tokens, every retry or hedge withdraws one, and the bucket holds at most
 * `capacity`. Under sustained failure retries therefore cost at most `ratio` extra origin requests
 * per client request, instead of multiplying load by the number of attempts (a retry storm).
 */
export interface RetryBudgetOptions {
  /** Tokens deposited per request; 0 disables the budget (every retry allowed). @default 0.5 */
  readonly ratio: number;
  /** Start level and cap of the bucket: the burst a quiet container can retry. @default 10 */
  readonly capacity: number;
}

export class RetryBudget {
  private tokens: number;
  private denied = 0;

  constructor(private readonly options: RetryBudgetOptions) {
    this.tokens = options.capacity;
  }

  /** Call once per client request. */
  deposit(): void {
    this.tokens = Math.min(this.options.capacity, this.tokens + this.options.ratio);
  }

  /** Whether a retry could take a token now (nothing is taken). */
  available(): boolean {
    return this.options.ratio === 0 || this.tokens >= 1;
  }

  /** Takes a token for one retry or hedge; false (and counted) when the budget is spent. */
  tryWithdraw(): boolean {
    if (this.options.ratio === 0) return true;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return true;
    }
    this.denied += 1;
    return false;
  }

  /** For logs, metrics and tests. */
  snapshot(): { tokens: number; denied: number } {
    return { tokens: this.tokens, denied: this.denied };
  }
}
