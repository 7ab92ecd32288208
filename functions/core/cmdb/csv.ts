/**
 * CSV as RFC 4180 writes it (and spreadsheets save it): fields separated by commas, quoted
 * with `"` when they hold a comma, quote or line break, a quote doubled inside quotes, records
 * ending in CRLF or LF. A byte-order mark at the start is dropped. Each record comes with the
 * line it starts on, so an error report can name the row a spreadsheet shows.
 */
export interface CsvRecord {
  /** The 1-based line the record starts on (the header is line 1). */
  readonly line: number;
  readonly fields: readonly string[];
}

export class CsvSyntaxError extends Error {
  override readonly name = 'CsvSyntaxError';
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.line = line;
  }
}

export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = () => {
    fields.push(field);
    // A blank line is no record.
    if (!(fields.length === 1 && fields[0] === '')) records.push({ line: start, fields });
    fields = [];
    field = '';
  };
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"') {
      if (field !== '') throw new CsvSyntaxError('a quote inside an unquoted field', line);
      quoted = true;
    } else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRecord();
      line++;
      start = line;
    } else field += c;
  }
  if (quoted) throw new CsvSyntaxError('a quoted field is never closed', start);
  if (field !== '' || fields.length > 0) endRecord();
  return records;
}
