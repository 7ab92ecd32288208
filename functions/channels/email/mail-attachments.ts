import { createHash } from 'node:crypto';
import {
  Attachment,
  attachmentObjectKey,
  FileName,
  MAX_ATTACHMENT_BYTES,
  type StoredContentType,
} from '#core/attachment/attachment.ts';
import { ConflictError } from '#core/shared/errors.ts';
import type { AttachmentStorage } from '#ports/attachment-storage.ts';
import type { AttachmentStore } from '#ports/attachment-store.ts';
import type { Clock } from '#ports/clock.ts';
import { type AttachmentPolicy, defaultAttachmentPolicy, fileVerdict } from './attachment-types.ts';
import type { ParsedMail } from './parse.ts';
import { isTnef, tnefAttachments } from './tnef.ts';

export interface MailAttachmentDeps {
  readonly storage: AttachmentStorage;
  readonly records: AttachmentStore;
  readonly clock: Clock;
}

/** Files of one mail that are kept; more are listed as not kept. */
export const MAX_MAIL_ATTACHMENTS = 50;

export interface PlannedAttachment {
  readonly id: string;
  readonly fileName: string;
  readonly contentType: StoredContentType;
  readonly content: Uint8Array;
}

export interface AttachmentPlan {
  readonly planned: readonly PlannedAttachment[];
  /** `name (type): why`, for each file that is not kept. */
  readonly skipped: readonly string[];
  /** Content-ID → where the portal finds the image, for the sanitizer's `cid:` rewriting. */
  readonly inlineImages: Readonly<Record<string, string>>;
}

interface MailFile {
  readonly fileName: string;
  readonly declaredType: string;
  readonly content: Uint8Array;
  readonly contentId?: string;
}

/** The files of a mail, with the files inside each `winmail.dat` (TNEF) after it. */
function mailFiles(mail: ParsedMail): MailFile[] {
  return mail.attachments.flatMap((file, n) => {
    const name = FileName.safeParse(file.filename ?? '');
    const content =
      typeof file.content === 'string'
        ? new TextEncoder().encode(file.content)
        : new Uint8Array(file.content as ArrayBuffer);
    const own: MailFile = {
      fileName: name.success ? name.data : `attachment-${n + 1}`,
      declaredType: file.mimeType,
      content,
      ...(file.contentId ? { contentId: file.contentId } : {}),
    };
    if (!isTnef(content)) return [own];
    return [
      own,
      ...tnefAttachments(content).map((inner, i) => {
        const innerName = FileName.safeParse(inner.fileName);
        return {
          fileName: innerName.success ? innerName.data : `winmail-${n + 1}-${i + 1}`,
          declaredType: inner.mimeType ?? 'application/octet-stream',
          content: inner.content,
        };
      }),
    ];
  });
}

/**
 * Decides which files of a mail are kept, before anything is stored, so that the sanitized
 * HTML can already point its `cid:` images at them. Every file is kept but what the policy
 * blocks (executables), what is empty or over 25 MB, and files past the 50th; the files inside
 * a `winmail.dat` are unpacked beside it. Ids derive from the SES message id, so a message
 * delivered twice stores each file once.
 */
export function planMailAttachments(
  mail: ParsedMail,
  sesMessageId: string,
  policy: AttachmentPolicy = defaultAttachmentPolicy,
): AttachmentPlan {
  const planned: PlannedAttachment[] = [];
  const skipped: string[] = [];
  const inlineImages: Record<string, string> = {};
  for (const [n, file] of mailFiles(mail).entries()) {
    const label = `${file.fileName} (${file.declaredType.trim().toLowerCase() || 'no type'})`;
    const verdict = fileVerdict(file.fileName, file.declaredType, file.content, policy);
    if (!verdict.keep) skipped.push(`${label}: ${verdict.why}`);
    else if (file.content.byteLength === 0 || file.content.byteLength > MAX_ATTACHMENT_BYTES)
      skipped.push(`${label}: empty or over 25 MB`);
    else if (planned.length >= MAX_MAIL_ATTACHMENTS)
      skipped.push(`${label}: more than ${MAX_MAIL_ATTACHMENTS} files`);
    else {
      const id = `${sesMessageId.replace(/[^A-Za-z0-9_-]/g, '').slice(0, 56)}-${n + 1}`;
      planned.push({ id, fileName: file.fileName, contentType: verdict.contentType, content: file.content });
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
