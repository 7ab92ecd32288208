/**
 * Settings that raise every per-person and per-sender allowance to the env schema's maximum
 * (six digits), so that no acknowledgement, notification or open limit changes the work a
 * benchmark or a fault test means to measure.
 */
export const LOAD_LIMITS = {
  TICKET_OPEN_LIMIT_PER_MINUTE: '999999',
  TICKET_OPEN_LIMIT_PER_HOUR: '999999',
  ACK_LIMIT_PER_MINUTE: '999999',
  ACK_LIMIT_PER_SENDER_PER_HOUR: '999999',
  NOTIFY_LIMIT_PER_RECIPIENT_PER_HOUR: '999999',
} as const;
