/**
 * The categories and services a ticket is classified by: the portal's forms offer exactly
 * these, and routing rules may only match these, so no rule waits for a value no form can set.
 * (A plain list until the service catalogue and the CMDB exist; then services come from there.)
 */
export const ticketCategories = [
  'Hardware',
  'Software',
  'Network',
  'Access and accounts',
  'Email',
  'Printing',
  'Other',
] as const;

export const ticketServices = [
  'Email',
  'VPN',
  'Wi-Fi',
  'Laptops and desktops',
  'Phones',
  'Printing',
  'Expense tool',
  'HR portal',
  'File shares',
] as const;

const folded = (values: readonly string[]) => new Set(values.map((v) => v.toLowerCase()));
const knownCategories = folded(ticketCategories);
const knownServices = folded(ticketServices);

export const isKnownCategory = (value: string): boolean => knownCategories.has(value.toLowerCase());
export const isKnownService = (value: string): boolean => knownServices.has(value.toLowerCase());
