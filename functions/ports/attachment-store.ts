import type { Attachment } from '#core/attachment/attachment.ts';
import type { Page, PageRequest } from './ticket-store.ts';

/** The attachment records (metadata only; the bytes are in `AttachmentStorage`). */
export interface AttachmentStore {
  /** Stores a new attachment record; storing the same id twice is refused with `ConflictError`. */
  put(attachment: Attachment): Promise<void>;
  get(ticketId: string, attachmentId: string): Promise<Attachment | undefined>;
  /** A ticket's attachments, oldest first. */
  listForTicket(ticketId: string, page: PageRequest): Promise<Page<Attachment>>;
  /** Marks a pending attachment available and returns it; an available one is returned as it is. */
  markAvailable(attachment: Attachment): Promise<Attachment>;
}
