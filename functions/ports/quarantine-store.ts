import type { QuarantinedMail } from '#core/mail/quarantine.ts';
import type { Page, PageRequest } from './ticket-store.ts';

export interface QuarantineStore {
  /** Keeps a message in quarantine; storing the same id twice keeps one entry. */
  put(mail: QuarantinedMail): Promise<void>;
  list(page: PageRequest): Promise<Page<QuarantinedMail>>;
  get(id: string): Promise<QuarantinedMail | undefined>;
  /** Records that the message left quarantine, and into which ticket. */
  markReleased(id: string, released: NonNullable<QuarantinedMail['released']>): Promise<void>;
}
