import type { FieldError, NewTicket, Ticket, TicketPage, TicketWithConversation } from './types.ts';

/** The API refused the request; `message` is the API's own, fit to show. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly fields: readonly FieldError[];

  constructor(status: number, code: string, message: string, fields: readonly FieldError[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
  }
}

/** The API no longer accepts the token: the person has to sign in again. */
export class SessionExpiredError extends Error {
  override readonly name = 'SessionExpiredError';
}

export interface Api {
  createTicket(ticket: NewTicket): Promise<Ticket>;
  listMyTickets(cursor?: string): Promise<TicketPage>;
  getTicket(id: string): Promise<TicketWithConversation>;
}

export interface ApiOptions {
  readonly apiBase: string;
  readonly idToken: string;
  readonly onSessionExpired: () => void;
}

const UNAVAILABLE = 'Spoke could not complete this right now. Try again in a moment.';

export function createApi({ apiBase, idToken, onSessionExpired }: ApiOptions): Api {
  async function call<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
    const headers: Record<string, string> = {
      accept: 'application/json',
      authorization: `Bearer ${idToken}`,
    };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await fetch(`${apiBase}${path}`, {
        method: init.method ?? 'GET',
        headers,
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
    } catch {
      throw new ApiError(0, 'network', 'Spoke could not be reached. Check your connection and try again.');
    }
    if (response.status === 401) {
      onSessionExpired();
      throw new SessionExpiredError('Your session has ended. Sign in again to continue.');
    }
    const body: unknown = await response.json().catch(() => undefined);
    if (response.ok) return body as T;
    const error = (body as { error?: { code?: string; message?: string; fields?: FieldError[] } } | undefined)
      ?.error;
    if (response.status >= 500 || !error?.message) {
      throw new ApiError(response.status, error?.code ?? 'unavailable', UNAVAILABLE);
    }
    throw new ApiError(response.status, error.code ?? 'error', error.message, error.fields);
  }

  return {
    createTicket: (ticket) => call<Ticket>('/tickets', { method: 'POST', body: ticket }),
    listMyTickets: (cursor) =>
      call<TicketPage>(`/tickets?${new URLSearchParams({ view: 'mine', ...(cursor && { cursor }) })}`),
    getTicket: (id) => call<TicketWithConversation>(`/tickets/${encodeURIComponent(id)}`),
  };
}
