/**
 * Whether an address is our support address: any case, with or without a `+label` (the
 * per-ticket reply addresses). Mail from it is our own coming back, and is never answered.
 */
export function isOwnAddress(address: string, supportAddress: string): boolean {
  const [local, domain] = supportAddress.trim().toLowerCase().split('@');
  const match = /^([^+@]+)(\+[^@]*)?@(.+)$/.exec(address.trim().toLowerCase());
  return match !== null && match[1] === local && match[3] === domain;
}
