/** Counts events per key in fixed windows; used to cap automatic mail so no loop can flood anyone. */
export interface RateLimiter {
  /** Takes one from the key's allowance for the current window; false once `limit` is used up. */
  tryTake(key: string, limit: number, windowSeconds: number): Promise<boolean>;
}
