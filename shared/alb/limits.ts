/**
 * ALB's documented limits for a Lambda reply. Over any of them the client gets an opaque 502 from
 * ALB, so the proxy checks first and answers a clean 502 that says why. "1 MB" is read as 10^6
 * bytes: the safe reading of the ELB guide.
 */
export const ALB_LIMITS = {
  /** The whole response JSON, base64 growth and envelope included. */
  maxResponseJsonBytes: 1_000_000,
  /** All response headers together. */
  maxHeaderSectionBytes: 32 * 1024,
  /** One response header (name, ": ", value). */
  maxHeaderBytes: 16 * 1024,
} as const;
