import { describe, expect, it } from 'vitest';
import { attachmentDisposition } from '#adapters/s3/attachment-storage.s3.ts';
import { type Attachment, MAX_ATTACHMENT_BYTES, NewAttachmentInput } from '#core/attachment/attachment.ts';
import {
  type AttachmentDeps,
  confirmUpload,
  requestDownload,
  requestUpload,
} from '#core/attachment/attachment-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import { NotFoundError, ValidationError } from '#core/shared/errors.ts';
import type { AttachmentStorage, StoredObject } from '#ports/attachment-storage.ts';
import type { AttachmentStore } from '#ports/attachment-store.ts';

const sha256 = 'uU0nuZNNPgilLlLX2n2r+sSE7+N6U4DukIj3rOLvzek=';
const valid = { fileName: 'screenshot.png', contentType: 'image/png', size: 1024, sha256 };
const problemsOf = (input: unknown) =>
  NewAttachmentInput.safeParse(input).error?.issues.map((issue) => issue.path.join('.')) ?? [];

describe('attachment declarations', () => {
  it('accepts a declared image', () => {
    expect(NewAttachmentInput.parse(valid)).toEqual(valid);
  });

  it('refuses empty files and files over 25 MB', () => {
    expect(problemsOf({ ...valid, size: 0 })).toEqual(['size']);
    expect(problemsOf({ ...valid, size: MAX_ATTACHMENT_BYTES + 1 })).toEqual(['size']);
    expect(problemsOf({ ...valid, size: 1.5 })).toEqual(['size']);
    expect(problemsOf({ ...valid, size: MAX_ATTACHMENT_BYTES })).toEqual([]);
  });

  it('refuses content types outside the allowlist, HTML and SVG included', () => {
    for (const contentType of [
      'text/html',
      'image/svg+xml',
      'application/javascript',
      'application/x-msdownload',
    ])
      expect(problemsOf({ ...valid, contentType }), contentType).toEqual(['contentType']);
    expect(NewAttachmentInput.parse({ ...valid, contentType: 'Application/PDF' }).contentType).toBe(
      'application/pdf',
    );
  });

  it('refuses names with path separators, dot names and control or bidi characters', () => {
    for (const fileName of [
      '../../etc/passwd',
      '..\\..\\windows\\win.ini',
      'reports/q3.pdf',
      '..',
      '.',
      'evil\u0000.png',
      'line\nbreak.txt',
      'tab\there.txt',
      'del\u007f.txt',
      'invoice\u202efdp.exe',
      '',
      '   ',
      'x'.repeat(256),
    ])
      expect(problemsOf({ ...valid, fileName }), JSON.stringify(fileName)).toEqual(['fileName']);
  });

  it('keeps ordinary names, Unicode included, trimmed and NFC-normalized', () => {
    expect(NewAttachmentInput.parse({ ...valid, fileName: '  Café menu (v2).pdf ' }).fileName).toBe(
      'Café menu (v2).pdf',
    );
    expect(NewAttachmentInput.parse({ ...valid, fileName: 'Cafe\u0301.txt' }).fileName).toBe('Caf\u00e9.txt');
    expect(NewAttachmentInput.parse({ ...valid, fileName: '.env.sample' }).fileName).toBe('.env.sample');
    expect(problemsOf({ ...valid, fileName: 'x'.repeat(255) })).toEqual([]);
  });

  it('wants the SHA-256 in base64 and nothing undeclared', () => {
    expect(
      problemsOf({ ...valid, sha256: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9' }),
    ).toEqual(['sha256']);
    expect(problemsOf({ ...valid, key: 'tickets/other/x' })).toEqual(['']);
  });

  it('offers the file name to the browser as an attachment that cannot break the header', () => {
    expect(attachmentDisposition('résumé "final"; v2.pdf')).toBe(
      `attachment; filename="r_sum_ _final__ v2.pdf"; filename*=UTF-8''r%C3%A9sum%C3%A9%20%22final%22%3B%20v2.pdf`,
    );
  });
});

const actor: Actor = { id: 'u-1', email: 'emma@example.com', groups: [] };

function fakes(stored: StoredObject | undefined) {
  const records = new Map<string, Attachment>();
  const attachments: AttachmentStore = {
    async put(a) {
      records.set(a.id, a);
    },
    async get(_ticketId, id) {
      return records.get(id);
    },
    async listForTicket() {
      return { items: [...records.values()] };
    },
    async markAvailable(a) {
      const available = { ...a, state: 'available' as const };
      records.set(a.id, available);
      return available;
    },
  };
  const storage: AttachmentStorage = {
    async put() {},
    async presignUpload({ key }) {
      return { url: `https://s3.example/${key}?put`, headers: {}, expiresAt: '2026-01-01T00:15:00.000Z' };
    },
    async presignDownload({ key }) {
      return { url: `https://s3.example/${key}?get`, expiresAt: '2026-01-01T00:05:00.000Z' };
    },
    async head() {
      return stored;
    },
  };
  const deps: AttachmentDeps = {
    storage,
    attachments,
    ids: { next: () => 'A1' },
    clock: { now: () => new Date('2026-01-01T00:00:00.000Z') },
    authorizeTicket: async (_actor, ticketId) => {
      if (ticketId !== 'T1') throw new NotFoundError(`No ticket ${ticketId}`);
      return { open: true };
    },
  };
  return { deps, records };
}

describe('attachment service', () => {
  it('records a pending attachment under tickets/<ticket>/<attachment> and returns a PUT', async () => {
    const { deps, records } = fakes(undefined);

    const { attachment, upload } = await requestUpload(deps, actor, 'T1', valid);

    expect(attachment).toMatchObject({
      id: 'A1',
      ticketId: 'T1',
      state: 'pending',
      uploadedBy: { id: 'u-1', email: 'emma@example.com' },
    });
    expect(upload).toMatchObject({ method: 'PUT', url: 'https://s3.example/tickets/T1/A1?put' });
    expect(records.get('A1')?.state).toBe('pending');
  });

  it('hides tickets the actor may not see, and ids that cannot be ticket ids', async () => {
    const { deps } = fakes(undefined);

    await expect(requestUpload(deps, actor, 'T2', valid)).rejects.toBeInstanceOf(NotFoundError);
    await expect(requestUpload(deps, actor, '../T1', valid)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('makes an attachment available only when size and checksum match', async () => {
    const { deps } = fakes({ size: 1024, sha256 });
    await requestUpload(deps, actor, 'T1', valid);

    expect((await confirmUpload(deps, actor, 'T1', 'A1')).state).toBe('available');
    expect((await requestDownload(deps, actor, 'T1', 'A1')).url).toContain('tickets/T1/A1');
  });

  it('refuses a stored file of another size or checksum, or none at all', async () => {
    for (const stored of [
      { size: 1023, sha256 },
      { size: 1024, sha256: `${'A'.repeat(43)}=` },
      { size: 1024 },
      undefined,
    ]) {
      const { deps } = fakes(stored);
      await requestUpload(deps, actor, 'T1', valid);

      await expect(confirmUpload(deps, actor, 'T1', 'A1'), JSON.stringify(stored)).rejects.toBeInstanceOf(
        ValidationError,
      );
      await expect(requestDownload(deps, actor, 'T1', 'A1')).rejects.toBeInstanceOf(NotFoundError);
    }
  });
});
