import { memoryTicketStore } from '../support/memory-ticket-store.ts';
import { ticketStoreContract } from '../support/ticket-store-contract.ts';

ticketStoreContract('in memory', async () => memoryTicketStore());
