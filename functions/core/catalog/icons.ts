/** The icons a catalog item may show (zod-free, so the portal imports the list itself). */
export const catalogIcons = [
  'laptop',
  'phone',
  'person-add',
  'person-remove',
  'key',
  'lock',
  'vpn',
  'mail',
  'software',
  'question',
  'badge',
  'box',
] as const;
