// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const controls = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g;

/**
 * A header value made fit for a one-line field (a ticket's short description, a person's
 * name): control characters — CR, LF, NUL, ESC, the C1 range — and Unicode line and
 * paragraph separators become a space, runs of white space one space, the ends are trimmed.
 * Encoded words can carry any of them; the title must not.
 */
export function oneLine(value: string | undefined): string {
  return (value ?? '').replace(controls, ' ').replace(/\s+/g, ' ').trim();
}
