/**
 * The files inside a `winmail.dat` (Transport Neutral Encapsulation Format, MS-OXTNEF), which
 * Outlook sends instead of ordinary attachments when it is set to "Rich Text". Only what a
 * service desk needs is read: each attachment's name and bytes. Embedded messages and the
 * RTF body are left alone (the `winmail.dat` itself is kept too).
 */

const SIGNATURE = 0x223e9f78;
const LVL_ATTACHMENT = 0x02;
const ATT_ATTACH_RENDDATA = 0x9002;
const ATT_ATTACH_TITLE = 0x8010;
const ATT_ATTACH_DATA = 0x800f;
const ATT_ATTACHMENT = 0x9005;

const PR_ATTACH_LONG_FILENAME = 0x3707;
const PR_ATTACH_MIME_TAG = 0x370e;
const PR_ATTACH_DATA_BIN = 0x3701;

/** The most files one winmail.dat may yield, and the most MAPI properties read per attachment. */
const MAX_FILES = 100;
const MAX_PROPERTIES = 4096;

export interface TnefFile {
  readonly fileName: string;
  readonly mimeType?: string;
  readonly content: Uint8Array;
}

/** Whether bytes start like a TNEF stream. */
export const isTnef = (data: Uint8Array) =>
  data.byteLength >= 6 &&
  new DataView(data.buffer, data.byteOffset, data.byteLength).getUint32(0, true) === SIGNATURE;

const fixedSizes: Readonly<Record<number, number>> = {
  1: 4, // PT_NULL
  2: 4, // PT_SHORT (padded)
  3: 4, // PT_LONG
  4: 4, // PT_FLOAT
  5: 8, // PT_DOUBLE
  6: 8, // PT_CURRENCY
  7: 8, // PT_APPTIME
  10: 4, // PT_ERROR
  11: 4, // PT_BOOLEAN (padded)
  20: 8, // PT_I8
  64: 8, // PT_SYSTIME
  72: 16, // PT_CLSID
};
const PT_STRING8 = 0x001e;
const PT_UNICODE = 0x001f;
const PT_BINARY = 0x0102;
const PT_OBJECT = 0x000d;
const MV_FLAG = 0x1000;

const pad4 = (n: number) => (n + 3) & ~3;

interface MapiValue {
  readonly id: number;
  readonly type: number;
  readonly bytes: Uint8Array;
}

/** The MAPI properties of an attAttachment attribute (MS-OXTNEF 2.1.3.5); stops quietly at damage. */
function mapiProperties(data: Uint8Array): MapiValue[] {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const found: MapiValue[] = [];
  let at = 0;
  const need = (n: number) => at + n <= data.byteLength;
  if (!need(4)) return found;
  const count = Math.min(view.getUint32(at, true), MAX_PROPERTIES);
  at += 4;
  for (let p = 0; p < count && need(4); p++) {
    const type = view.getUint16(at, true);
    const id = view.getUint16(at + 2, true);
    at += 4;
    if (id >= 0x8000) {
      if (!need(20)) return found;
      const kind = view.getUint32(at + 16, true);
      at += 20;
      if (kind === 0) at += 4;
      else {
        if (!need(4)) return found;
        at += 4 + pad4(view.getUint32(at, true));
      }
    }
    const base = type & ~MV_FLAG;
    const variable = base === PT_STRING8 || base === PT_UNICODE || base === PT_BINARY || base === PT_OBJECT;
    let values = 1;
    if ((type & MV_FLAG) !== 0 || variable) {
      if (!need(4)) return found;
      values = view.getUint32(at, true);
      at += 4;
    }
    for (let v = 0; v < values; v++) {
      if (variable) {
        if (!need(4)) return found;
        const length = view.getUint32(at, true);
        at += 4;
        if (!need(length)) return found;
        if (v === 0) found.push({ id, type: base, bytes: data.subarray(at, at + length) });
        at += pad4(length);
      } else {
        const size = fixedSizes[base];
        if (size === undefined || !need(size)) return found;
        at += size;
      }
    }
  }
  return found;
}

const text = (value: MapiValue) =>
  (value.type === PT_UNICODE
    ? Buffer.from(value.bytes).toString('utf16le')
    : Buffer.from(value.bytes).toString('latin1')
  ).replace(/\0+$/, '');

/**
 * The attachments in a TNEF stream, in order. Damaged or truncated data ends the list where
 * the damage starts; a stream that is not TNEF yields nothing.
 */
export function tnefAttachments(data: Uint8Array): TnefFile[] {
  if (!isTnef(data)) return [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const files: { fileName?: string; longName?: string; mimeType?: string; content?: Uint8Array }[] = [];
  let at = 6;
  while (at + 9 <= data.byteLength) {
    const level = view.getUint8(at);
    const id = view.getUint32(at + 1, true) & 0xffff;
    const length = view.getUint32(at + 5, true);
    const start = at + 9;
    if (start + length + 2 > data.byteLength) break;
    const value = data.subarray(start, start + length);
    at = start + length + 2;
    if (level !== LVL_ATTACHMENT) continue;
    if (id === ATT_ATTACH_RENDDATA) {
      if (files.length >= MAX_FILES) break;
      files.push({});
      continue;
    }
    const current = files.at(-1);
    if (!current) continue;
    if (id === ATT_ATTACH_TITLE) current.fileName = Buffer.from(value).toString('latin1').replace(/\0+$/, '');
    else if (id === ATT_ATTACH_DATA) current.content = value;
    else if (id === ATT_ATTACHMENT) {
      for (const property of mapiProperties(value)) {
        if (property.id === PR_ATTACH_LONG_FILENAME) current.longName = text(property);
        else if (property.id === PR_ATTACH_MIME_TAG) current.mimeType = text(property);
        else if (property.id === PR_ATTACH_DATA_BIN && !current.content) current.content = property.bytes;
      }
    }
  }
  return files.flatMap((file, n) =>
    file.content && file.content.byteLength > 0
      ? [
          {
            fileName: file.longName || file.fileName || `winmail-${n + 1}.bin`,
            ...(file.mimeType ? { mimeType: file.mimeType } : {}),
            content: file.content,
          },
        ]
      : [],
  );
}
