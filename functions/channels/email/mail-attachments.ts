import { createHash } from 'node:crypto';
import {
  Attachment,
  AttachmentContentType,
  attachmentObjectKey,
  FileName,
  MAX_ATTACHMENT_BYTES,
} from '#core/attachment/attachment.ts';
import { ConflictError } from '#core/shared/errors.ts';
import type { AttachmentStorage } from '#ports/attachment-storage.ts';
import type { AttachmentStore } from '#ports/attachment-store.ts';
import type { Clock } from '#ports/clock.ts';
import type { ParsedMail } from './parse.ts';

export interface MailAttachmentDeps {
  readonly storage: AttachmentStorage;
  readonly records: AttachmentStore;
  readonly clock: Clock;
}

/** Files of one mail that are kept; more are listed as not kept. */
export const MAX_MAIL_ATTACHMENTS = 20;

export interface PlannedAttachment {
  readonly id: string;
  readonly fileName: string;
  readonly contentType: AttachmentContentType;
  readonly content: Uint8Array;
}

export interface AttachmentPlan {
  readonly planned: readonly PlannedAttachment[];
  /** `name (type): why`, for each file that is not kept. */
  readonly skipped: readonly string[];
  /** Content-ID → where the portal finds the image, for the sanitizer's `cid:` rewriting. */
  readonly inlineImages: Readonly<Record<string, string>>;
}

/**
 * Decides which files of a mail are kept, before anything is stored, so that the sanitized
 * HTML can already point its `cid:` images at them. Ids derive from the SES message id, so a
 * message delivered twice stores each file once.
 */
export function planMailAttachments(mail: ParsedMail, sesMessageId: string): AttachmentPlan {
  const planned: PlannedAttachment[] = [];
  const skipped: string[] = [];
  const inlineImages: Record<string, string> = {};
  for (const [n, file] of mail.attachments.entries()) {
    const type = file.mimeType.trim().toLowerCase();
    const name = FileName.safeParse(file.filename ?? '');
    const fileName = name.success ? name.data : `attachment-${n + 1}`;
    const label = `${fileName} (${type})`;
    const content =
      typeof file.content === 'string'
        ? new TextEncoder().encode(file.content)
        : new Uint8Array(file.content as ArrayBuffer);
    const contentType = AttachmentContentType.safeParse(type);
    if (!contentType.success) skipped.push(`${label}: this type is not kept`);
    else if (content.byteLength === 0 || content.byteLength > MAX_ATTACHMENT_BYTES)
      skipped.push(`${label}: empty or over 25 MB`);
    else if (planned.length >= MAX_MAIL_ATTACHMENTS)
      skipped.push(`${label}: more than ${MAX_MAIL_ATTACHMENTS} files`);
    else {
      const id = `${sesMessageId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 56)}-${n + 1}`;
      planned.push({ id, fileName, contentType: contentType.data, content });
      if (file.contentId) inlineImages[file.contentId.replace(/^<|>$/g, '')] = `/inline/${id}`;
    }
  }
  return { planned, skipped, inlineImages };
}

/** Stores the planned files of a mail under its ticket, as available attachments of the sender. */
export async function storeMailAttachments(
  deps: MailAttachmentDeps,
  ticketId: string,
  plan: AttachmentPlan,
  sender: { readonly id: string; readonly email: string },
): Promise<void> {
  for (const file of plan.planned) {
    const sha256 = createHash('sha256').update(file.content).digest('base64');
    const attachment = Attachment.parse({
      id: file.id,
      ticketId,
      fileName: file.fileName,
      contentType: file.contentType,
      size: file.content.byteLength,
      sha256,
      uploadedBy: sender,
      createdAt: deps.clock.now().toISOString(),
      state: 'available',
    });
    await deps.storage.put(attachmentObjectKey(attachment), file.content, file.contentType, sha256);
    try {
      await deps.records.put(attachment);
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}
