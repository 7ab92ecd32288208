/**
 * The ticket a sender's last auto-reply opened, remembered for a day: the next auto-replies
 * of the same sender become internal entries there instead of tickets of their own, so a
 * robot answering itself opens one ticket, not thirty.
 */
export interface AutoReplyTickets {
  ticketFor(sender: string): Promise<string | undefined>;
  remember(sender: string, ticketId: string): Promise<void>;
}
