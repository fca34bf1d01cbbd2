/**
 * Timeouts of the proxies in front of the app. An answer streams as server-sent events for as long as the model
 * takes; the server sends a comment every 15 s when nothing else is sent (KEEP_ALIVE_MS), so neither proxy sees an
 * idle connection. test/behind-cloudfront.test.ts checks the heartbeat stays well inside both.
 */

/** CloudFront's origin response timeout: the longest wait for the first byte and between bytes (60 s needs no quota increase). */
export const ORIGIN_READ_TIMEOUT_SECONDS = 60;

/** The ALB's idle timeout for a connection with no bytes either way. */
export const ALB_IDLE_TIMEOUT_SECONDS = 120;

/** The header CloudFront adds to every origin request; the ALB's listener forwards only requests that carry it. */
export const ORIGIN_SECRET_HEADER = "x-origin-verify";
