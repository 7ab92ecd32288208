import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, Context } from 'aws-lambda';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoAttachmentStore } from '#adapters/dynamodb/attachment-store.dynamo.ts';
import { S3AttachmentStorage } from '#adapters/s3/attachment-storage.s3.ts';
import { ulids } from '#adapters/system/system.ts';
import { localS3Config } from '#config/composition-root.ts';
import {
  type AttachmentDeps,
  confirmUpload,
  listAttachments,
  requestDownload,
  requestUpload,
} from '#core/attachment/attachment-service.ts';
import type { Actor } from '#core/identity/actor.ts';
import { NotFoundError, ValidationError } from '#core/shared/errors.ts';
import { createHttpApi } from '#http/api.ts';
import { attachmentRoutes } from '#http/routes/attachments.ts';
import { freshTables } from '../support/dynamodb.ts';

const BUCKET = 'spoke-test-attachments';
const emma: Actor = { id: 'u-emma', email: 'emma@example.com', groups: [] };
const visibleTicket = 'T-VISIBLE';
const closedTicket = 'T-CLOSED';

let s3rver: S3rver;
let s3Dir: string;
let deps: AttachmentDeps;
let tables: Awaited<ReturnType<typeof freshTables>>;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('base64');
const pdf = new TextEncoder().encode('%PDF-1.7\nnot really a PDF, but the bytes are what matter\n%%EOF\n');

async function put(upload: { url: string; headers: Readonly<Record<string, string>> }, body: Uint8Array) {
  return fetch(upload.url, { method: 'PUT', headers: { ...upload.headers }, body });
}

beforeAll(async () => {
  s3Dir = mkdtempSync(join(tmpdir(), 'spoke-s3-'));
  s3rver = new S3rver({
    address: '127.0.0.1',
    port: 0,
    directory: s3Dir,
    silent: true,
    configureBuckets: [{ name: BUCKET }],
  });
  const { port } = await s3rver.run();
  tables = await freshTables();
  deps = {
    storage: new S3AttachmentStorage(
      new S3Client({ ...localS3Config, endpoint: `http://127.0.0.1:${port}` }),
      BUCKET,
    ),
    attachments: new DynamoAttachmentStore(tables.documents, tables.domainTable),
    ids: ulids,
    clock: { now: () => new Date() },
    authorizeTicket: async (_actor, ticketId) => {
      if (ticketId === closedTicket) return { open: false };
      if (ticketId !== visibleTicket) throw new NotFoundError(`No ticket ${ticketId}`);
      return { open: true };
    },
  };
});

afterAll(async () => {
  await s3rver?.close();
  if (s3Dir) rmSync(s3Dir, { recursive: true, force: true });
});

describe('attachments through presigned URLs (s3rver + DynamoDB Local)', () => {
  it('refuses new attachments on a closed or cancelled ticket', async () => {
    await expect(
      requestUpload(deps, emma, closedTicket, {
        fileName: 'late.pdf',
        contentType: 'application/pdf',
        size: 3,
        sha256: sha256(Buffer.from('pdf')),
      }),
    ).rejects.toMatchObject({ name: 'ValidationError', fields: [{ path: 'ticket' }] });
  });

  it('uploads through the presigned PUT, confirms, and downloads as an attachment', async () => {
    const { attachment, upload } = await requestUpload(deps, emma, visibleTicket, {
      fileName: 'Résumé "final".pdf',
      contentType: 'application/pdf',
      size: pdf.byteLength,
      sha256: sha256(pdf),
    });

    const stored = await put(upload, pdf);
    const confirmed = await confirmUpload(deps, emma, visibleTicket, attachment.id);
    const download = await requestDownload(deps, emma, visibleTicket, attachment.id);
    const response = await fetch(download.url);

    expect(stored.status).toBe(200);
    expect(confirmed.state).toBe('available');
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(pdf);
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="R_sum_ _final_.pdf"; filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22.pdf`,
    );
    expect(response.headers.get('content-type')).toBe('application/pdf');
    expect(Date.parse(download.expiresAt) - Date.now()).toBeLessThanOrEqual(5 * 60_000);
  });

  it('signs type, length and checksum into the PUT, so S3 refuses any other file', async () => {
    const { upload } = await requestUpload(deps, emma, visibleTicket, {
      fileName: 'notes.txt',
      contentType: 'text/plain',
      size: 5,
      sha256: sha256(new TextEncoder().encode('hello')),
    });
    const url = new URL(upload.url);

    expect(url.pathname).toMatch(new RegExp(`^/${BUCKET}/tickets/${visibleTicket}/[0-9A-Z]{26}$`));
    expect(url.searchParams.get('X-Amz-SignedHeaders')).toBe(
      'content-length;content-type;host;x-amz-checksum-sha256',
    );
    expect(upload.headers).toEqual({
      'content-type': 'text/plain',
      'x-amz-checksum-sha256': sha256(new TextEncoder().encode('hello')),
    });
    expect(Number(url.searchParams.get('X-Amz-Expires'))).toBe(900);
  });

  it('refuses to confirm a stored file of another size or checksum (s3rver itself accepts it)', async () => {
    const declared = new TextEncoder().encode('the declared content');
    for (const actual of [
      new TextEncoder().encode('a longer, different content'),
      new TextEncoder().encode('THE DECLARED CONTENT'),
    ]) {
      const { attachment, upload } = await requestUpload(deps, emma, visibleTicket, {
        fileName: 'log.txt',
        contentType: 'text/plain',
        size: declared.byteLength,
        sha256: sha256(declared),
      });

      const stored = await put(upload, actual);
      const confirm = confirmUpload(deps, emma, visibleTicket, attachment.id);

      expect(stored.status, 's3rver does not check signed length or checksum').toBe(200);
      await expect(confirm).rejects.toBeInstanceOf(ValidationError);
      await expect(confirm).rejects.toMatchObject({
        fields: expect.arrayContaining([expect.objectContaining({ path: 'sha256' })]),
      });
      await expect(requestDownload(deps, emma, visibleTicket, attachment.id)).rejects.toBeInstanceOf(
        NotFoundError,
      );
    }
  });

  it('refuses to confirm before anything was uploaded', async () => {
    const { attachment } = await requestUpload(deps, emma, visibleTicket, {
      fileName: 'photo.jpg',
      contentType: 'image/jpeg',
      size: 10,
      sha256: sha256(new Uint8Array(10)),
    });

    await expect(confirmUpload(deps, emma, visibleTicket, attachment.id)).rejects.toThrow(
      /not been uploaded/,
    );
  });

  it("keeps attachments in the ticket's item collection, marked entity attachment, listed oldest first", async () => {
    const items = await tables.documents.send(
      new QueryCommand({
        TableName: tables.domainTable,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': `TICKET#${visibleTicket}` },
      }),
    );
    const page = await listAttachments(deps, emma, visibleTicket);

    expect(items.Items?.length).toBeGreaterThan(0);
    for (const item of items.Items ?? []) {
      expect(item.entity).toBe('attachment');
      expect(item.sk).toMatch(/^ATTACHMENT#\d{4}-\d\d-\d\dT[\d:.]+Z#[0-9A-Z]{26}$/);
    }
    expect(page.items.map((a) => a.id)).toEqual(items.Items?.map((item) => item.id));
  });

  it('hides attachments of tickets the actor may not see', async () => {
    await expect(listAttachments(deps, emma, 'T-OTHER')).rejects.toBeInstanceOf(NotFoundError);
    await expect(
      requestUpload(deps, emma, 'T-OTHER', {
        fileName: 'a.txt',
        contentType: 'text/plain',
        size: 1,
        sha256: sha256(new Uint8Array(1)),
      }),
    ).rejects.toBeInstanceOf(NotFoundError);
  });

  it('answers the routes with 201 and the upload, then 200 with the download URL', async () => {
    const api = createHttpApi(attachmentRoutes(deps));
    const call = (method: string, path: string, body?: unknown) =>
      api(
        {
          rawPath: path,
          headers: body ? { 'content-type': 'application/json' } : {},
          body: body ? JSON.stringify(body) : undefined,
          isBase64Encoded: false,
          requestContext: {
            http: { method },
            authorizer: {
              jwt: {
                claims: { sub: emma.id, email: emma.email, token_use: 'id', email_verified: 'true' },
                scopes: [],
              },
            },
          },
        } as unknown as APIGatewayProxyEventV2WithJWTAuthorizer,
        {} as Context,
      );
    const bytes = new TextEncoder().encode('a,b\n1,2\n');
    const base = `/api/tickets/${visibleTicket}/attachments`;

    const created = await call('POST', base, {
      fileName: 'data.csv',
      contentType: 'text/csv',
      size: bytes.byteLength,
      sha256: sha256(bytes),
    });
    const { attachment, upload } = JSON.parse(String(created.body));
    await put(upload, bytes);
    const confirmed = await call('POST', `${base}/${attachment.id}/confirm`);
    const download = await call('GET', `${base}/${attachment.id}/download`);
    const refused = await call('POST', base, {
      fileName: '../../etc/passwd',
      contentType: 'text/plain',
      size: 1,
      sha256: sha256(bytes),
    });

    expect(created.statusCode).toBe(201);
    expect(upload.method).toBe('PUT');
    expect(JSON.parse(String(confirmed.body)).state).toBe('available');
    expect(download.statusCode).toBe(200);
    expect(Object.keys(JSON.parse(String(download.body))).sort()).toEqual(['expiresAt', 'url']);
    expect(refused.statusCode).toBe(400);
    expect(JSON.parse(String(refused.body)).error.fields).toEqual([
      expect.objectContaining({ path: 'fileName' }),
    ]);
  });
});
