import * as z from 'zod';
import { Attachment, NewAttachmentInput } from '#core/attachment/attachment.ts';
import {
  type AttachmentDeps,
  confirmUpload,
  listAttachments,
  requestDownload,
  requestUpload,
} from '#core/attachment/attachment-service.ts';
import { json } from '../api.ts';
import { actorFromEvent } from '../claims.ts';
import type { Route } from '../router.ts';

const ListQuery = z.strictObject({ cursor: z.string().max(2048).optional() });

const UploadResponse = z.object({
  attachment: Attachment,
  upload: z.object({
    url: z.url(),
    method: z.literal('PUT'),
    headers: z.record(z.string(), z.string()),
    expiresAt: z.iso.datetime(),
  }),
});
const DownloadResponse = z.object({ url: z.url(), expiresAt: z.iso.datetime() });
const AttachmentPage = z.object({ items: z.array(Attachment), cursor: z.string().optional() });

const tags = ['attachments'] as const;

/**
 * Attachments travel through S3, never through the API: ask for an upload URL, PUT the file
 * there with the returned headers, confirm, then ask for a download URL when needed.
 */
export function attachmentRoutes(
  deps: AttachmentDeps,
  /** The record the files belong to: tickets, or knowledge articles (`/api/knowledge`). @default '/api/tickets' */
  records = '/api/tickets',
): Route[] {
  const base = `${records}/{id}/attachments`;
  return [
    {
      method: 'POST',
      path: base,
      docs: {
        summary: 'Declare an attachment and get a presigned upload URL (PUT the file there, then confirm)',
        tags,
        body: NewAttachmentInput,
        responses: { 201: UploadResponse },
      },
      async handle({ event, params, body }) {
        const result = await requestUpload(deps, actorFromEvent(event), params.id ?? '', body ?? {});
        return json(201, result, {
          location: `${records}/${result.attachment.ticketId}/attachments/${result.attachment.id}`,
        });
      },
    },
    {
      method: 'GET',
      path: base,
      docs: {
        summary: "A ticket's attachments, oldest first (pending uploads included)",
        tags,
        query: ListQuery,
        responses: { 200: AttachmentPage },
      },
      async handle({ event, params }) {
        const { cursor } = ListQuery.parse(event.queryStringParameters ?? {});
        return json(200, await listAttachments(deps, actorFromEvent(event), params.id ?? '', cursor));
      },
    },
    {
      method: 'POST',
      path: `${base}/{attachmentId}/confirm`,
      docs: {
        summary: 'Check the uploaded file against its declared size and SHA-256 and make it available',
        tags,
        responses: { 200: Attachment },
      },
      async handle({ event, params }) {
        const actor = actorFromEvent(event);
        return json(200, await confirmUpload(deps, actor, params.id ?? '', params.attachmentId ?? ''));
      },
    },
    {
      method: 'GET',
      path: `${base}/{attachmentId}/download`,
      docs: {
        summary: 'A short-lived presigned download URL (served as Content-Disposition: attachment)',
        tags,
        responses: { 200: DownloadResponse },
      },
      async handle({ event, params }) {
        const actor = actorFromEvent(event);
        return json(200, await requestDownload(deps, actor, params.id ?? '', params.attachmentId ?? ''));
      },
    },
  ];
}
