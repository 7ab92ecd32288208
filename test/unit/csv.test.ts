import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from '#core/cmdb/csv.ts';

describe('parseCsv', () => {
  it('reads quoted fields with commas, doubled quotes and line breaks, CRLF or LF, and names each record’s line', () => {
    const text = '\ufeffname,note\r\n"Lenovo, Inc.","say ""hi"""\n"two\nlines",x\n\nlast,';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['name', 'note'] },
      { line: 2, fields: ['Lenovo, Inc.', 'say "hi"'] },
      { line: 3, fields: ['two\nlines', 'x'] },
      { line: 6, fields: ['last', ''] },
    ]);
  });

  it('refuses an unclosed quote and a stray quote, naming the line', () => {
    expect(() => parseCsv('a,b\n"open,c')).toThrow(CsvSyntaxError);
    const stray = (() => {
      try {
        parseCsv('a,b\nx,y"z');
      } catch (error) {
        return error as CsvSyntaxError;
      }
    })();
    expect(stray?.line).toBe(2);
  });

  it('reads back any table it is given, written the RFC 4180 way', () => {
    const cell = fc.string({ maxLength: 12 });
    const table = fc.array(fc.array(cell, { minLength: 2, maxLength: 5 }), { minLength: 1, maxLength: 20 });
    fc.assert(
      fc.property(table, (rows) => {
        const width = rows[0]?.length ?? 2;
        const even = rows.map((r) => Array.from({ length: width }, (_, i) => r[i] ?? 'x'));
        const quote = (v: string) => `"${v.replaceAll('"', '""')}"`;
        const text = even.map((r) => r.map(quote).join(',')).join('\r\n');
        expect(parseCsv(text).map((r) => r.fields)).toEqual(even);
      }),
    );
  });
});
