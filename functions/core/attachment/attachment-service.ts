import * as z from 'zod';
import type { Actor } from '#core/identity/actor.ts';
import { NotFoundError, ValidationError } from '#core/shared/errors.ts';
import type { AttachmentStorage, PresignedDownload, PresignedUpload } from '#ports/attachment-storage.ts';
import type { AttachmentStore } from '#ports/attachment-store.ts';
import type { Clock, IdGenerator } from '#ports/clock.ts';
import type { Page } from '#ports/ticket-store.ts';
import { Attachment, attachmentObjectKey, NewAttachmentInput, RecordId } from './attachment.ts';

/**
 * Resolves when the actor may see the ticket and throws `NotFoundError` otherwise (a ticket
 * the actor may not see does not exist for them). The ticket engine supplies it, so
 * attachments follow exactly the ticket's object-level authorization.
 */
/** Throws `NotFoundError` unless the actor may see the ticket; tells whether it still takes additions. */
export type AuthorizeTicket = (actor: Actor, ticketId: string) => Promise<{ readonly open: boolean }>;

/** Attachments one ticket may hold: they are read with the ticket, so they must stay few. */
export const MAX_ATTACHMENTS_PER_TICKET = 100;

export interface AttachmentDeps {
  readonly storage: AttachmentStorage;
  readonly attachments: AttachmentStore;
  readonly ids: IdGenerator;
  readonly clock: Clock;
  readonly authorizeTicket: AuthorizeTicket;
  /**
   * What a record that takes no more files is told (knowledge articles reuse these attachments).
   * @default { path: 'ticket', message: 'is closed; open a new ticket' }
   */
  readonly closed?: { readonly path: string; readonly message: string };
}

export interface UploadTicket {
  readonly attachment: Attachment;
  readonly upload: PresignedUpload & { readonly method: 'PUT' };
}

const ATTACHMENT_PAGE_SIZE = 50;

function parseIds(ticketId: string, attachmentId?: string) {
  const ids = z
    .object({ ticketId: RecordId, attachmentId: RecordId.optional() })
    .safeParse({ ticketId, attachmentId });
  if (!ids.success) throw new NotFoundError('No such attachment');
  return ids.data;
}

async function visibleAttachment(
  deps: AttachmentDeps,
  actor: Actor,
  ticketId: string,
  attachmentId: string,
): Promise<Attachment> {
  parseIds(ticketId, attachmentId);
  await deps.authorizeTicket(actor, ticketId);
  const attachment = await deps.attachments.get(ticketId, attachmentId);
  if (!attachment) throw new NotFoundError('No such attachment');
  return attachment;
}

/**
 * Records a pending attachment and returns a presigned PUT that accepts exactly the declared
 * file: its type, length and SHA-256 are part of the signature.
 */
export async function requestUpload(
  deps: AttachmentDeps,
  actor: Actor,
  ticketId: string,
  input: unknown,
): Promise<UploadTicket> {
  parseIds(ticketId);
  const declared = NewAttachmentInput.parse(input);
  const { open } = await deps.authorizeTicket(actor, ticketId);
  if (!open)
    throw new ValidationError('Takes no more files', [
      deps.closed ?? { path: 'ticket', message: 'is closed; open a new ticket' },
    ]);
  const existing = await deps.attachments.listForTicket(ticketId, { limit: MAX_ATTACHMENTS_PER_TICKET });
  if (existing.items.length >= MAX_ATTACHMENTS_PER_TICKET) {
    throw new ValidationError('Too many attachments', [
      {
        path: 'ticket',
        message: `holds ${MAX_ATTACHMENTS_PER_TICKET} attachments, the most a ticket may hold`,
      },
    ]);
  }
  const attachment = Attachment.parse({
    id: deps.ids.next(),
    ticketId,
    ...declared,
    uploadedBy: { id: actor.id, email: actor.email },
    createdAt: deps.clock.now().toISOString(),
    state: 'pending',
  });
  await deps.attachments.put(attachment);
  const upload = await deps.storage.presignUpload({
    key: attachmentObjectKey(attachment),
    contentType: attachment.contentType,
    size: attachment.size,
    sha256: attachment.sha256,
  });
  return { attachment, upload: { method: 'PUT', ...upload } };
}

/**
 * Checks the uploaded object against what was declared and makes the attachment available.
 * The presigned PUT already binds size and checksum in S3; this check is what holds where the
 * storage does not enforce them (s3rver locally), and it is what notices a missing upload.
 */
export async function confirmUpload(
  deps: AttachmentDeps,
  actor: Actor,
  ticketId: string,
  attachmentId: string,
): Promise<Attachment> {
  const attachment = await visibleAttachment(deps, actor, ticketId, attachmentId);
  if (attachment.state === 'available') return attachment;
  const stored = await deps.storage.head(attachmentObjectKey(attachment));
  if (!stored) {
    throw new ValidationError('The file has not been uploaded yet', [
      { path: 'file', message: 'upload it with the presigned URL first' },
    ]);
  }
  const problems = [
    ...(stored.size === attachment.size
      ? []
      : [{ path: 'size', message: `is ${stored.size} bytes, ${attachment.size} were declared` }]),
    ...(stored.sha256 === attachment.sha256
      ? []
      : [{ path: 'sha256', message: 'the stored file does not have the declared SHA-256' }]),
  ];
  if (problems.length > 0) throw new ValidationError('The uploaded file is not the one declared', problems);
  return deps.attachments.markAvailable(attachment);
}

/** A presigned GET for an available attachment, served as a download under its file name. */
export async function requestDownload(
  deps: AttachmentDeps,
  actor: Actor,
  ticketId: string,
  attachmentId: string,
): Promise<PresignedDownload> {
  const attachment = await visibleAttachment(deps, actor, ticketId, attachmentId);
  if (attachment.state !== 'available') throw new NotFoundError('The attachment is not available yet');
  return deps.storage.presignDownload({
    key: attachmentObjectKey(attachment),
    fileName: attachment.fileName,
    contentType: attachment.contentType,
  });
}

/** A ticket's attachments, oldest first, pending uploads included (their `state` says so). */
export async function listAttachments(
  deps: AttachmentDeps,
  actor: Actor,
  ticketId: string,
  cursor?: string,
): Promise<Page<Attachment>> {
  parseIds(ticketId);
  await deps.authorizeTicket(actor, ticketId);
  return deps.attachments.listForTicket(ticketId, {
    limit: ATTACHMENT_PAGE_SIZE,
    ...(cursor ? { cursor } : {}),
  });
}
