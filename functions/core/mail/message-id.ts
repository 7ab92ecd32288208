/**
 * A Message-ID as RFC 5322 writes it (`<local@domain>`), and nothing that could smuggle a
 * line break into the headers of a mail that quotes it.
 */
export const MESSAGE_ID = /^<[^<>\s@]+@[^<>\s@]+>$/;
