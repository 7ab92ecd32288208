import type {
  AddMemberInput,
  CreateGroupInput,
  UpdateGroupInput,
} from '../../../functions/core/group/group.ts';
import type { SaveRoutingInput } from '../../../functions/core/routing/routing-rules.ts';
import type {
  Article,
  Attachment,
  AuditEntry,
  FieldError,
  FullMailBody,
  Group,
  GroupMember,
  Me,
  NewTicket,
  Page,
  QuarantinedMail,
  QueueQuery,
  RoutingConfig,
  Ticket,
  TicketChange,
  TicketPage,
  TicketWithConversation,
  UploadGrant,
} from './types.ts';

/** The API refused the request; `message` is the API's own, fit to show. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;
  readonly fields: readonly FieldError[];
  /** On a 409: the record as it is now. */
  readonly current: unknown;

  constructor(
    status: number,
    code: string,
    message: string,
    fields: readonly FieldError[] = [],
    current?: unknown,
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields;
    this.current = current;
  }
}

/** The API no longer accepts the token: the person has to sign in again. */
export class SessionExpiredError extends Error {
  override readonly name = 'SessionExpiredError';
}

export interface Api {
  /** Any API call with this session (the change screens build theirs on it, in change-api.ts). */
  request<T>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  me(): Promise<Me>;
  createTicket(ticket: NewTicket): Promise<Ticket>;
  listMyTickets(cursor?: string): Promise<TicketPage>;
  listQueue(query: QueueQuery, cursor?: string): Promise<TicketPage>;
  findTicketByNumber(number: string): Promise<Ticket>;
  getTicket(id: string): Promise<TicketWithConversation>;
  updateTicket(id: string, change: TicketChange): Promise<Ticket>;
  addArticle(id: string, type: 'reply' | 'note', body: string): Promise<{ ticket: Ticket; article: Article }>;
  history(id: string, cursor?: string): Promise<Page<AuditEntry>>;
  listAttachments(ticketId: string): Promise<Page<Attachment>>;
  /** Declares, uploads (presigned PUT straight to S3) and confirms one file. */
  uploadAttachment(ticketId: string, file: File): Promise<Attachment>;
  downloadUrl(ticketId: string, attachmentId: string): Promise<string>;
  /** Any record's files (`/knowledge/<id>` takes pictures too): declare, PUT to S3, confirm. */
  uploadFile(recordPath: string, file: File): Promise<Attachment>;
  fileUrl(recordPath: string, attachmentId: string): Promise<string>;
  /** The whole body of a large mail whose article holds excerpts. */
  fullBody(ticketId: string, articleId: string): Promise<FullMailBody>;
  listGroups(cursor?: string): Promise<Page<Group>>;
  createGroup(group: CreateGroupInput): Promise<Group>;
  getGroup(id: string): Promise<Group>;
  updateGroup(id: string, change: UpdateGroupInput): Promise<Group>;
  listMembers(groupId: string, cursor?: string): Promise<Page<GroupMember>>;
  addMember(groupId: string, member: AddMemberInput): Promise<GroupMember>;
  removeMember(groupId: string, email: string): Promise<void>;
  routing(): Promise<RoutingConfig>;
  saveRouting(config: SaveRoutingInput): Promise<RoutingConfig>;
  listQuarantine(cursor?: string): Promise<Page<QuarantinedMail>>;
  releaseQuarantined(id: string): Promise<void>;
  discardQuarantined(id: string): Promise<QuarantinedMail>;
}

export interface ApiOptions {
  readonly apiBase: string;
  readonly idToken: string;
  readonly onSessionExpired: () => void;
}

const UNAVAILABLE = 'Spoke could not complete this right now. Try again in a moment.';

const query = (params: Record<string, string | number | undefined>) =>
  new URLSearchParams(
    Object.entries(params).flatMap(([key, value]) => (value === undefined ? [] : [[key, String(value)]])),
  ).toString();

/** SHA-256 of a file, base64, as S3's `x-amz-checksum-sha256` wants it. */
export async function sha256Base64(file: File): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', await file.arrayBuffer()));
  let binary = '';
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}

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
    if (response.status === 204) return undefined as T;
    const body: unknown = await response.json().catch(() => undefined);
    if (response.ok) return body as T;
    const error = (
      body as
        | { error?: { code?: string; message?: string; fields?: FieldError[]; current?: unknown } }
        | undefined
    )?.error;
    if (response.status >= 500 || !error?.message) {
      throw new ApiError(response.status, error?.code ?? 'unavailable', UNAVAILABLE);
    }
    throw new ApiError(response.status, error.code ?? 'error', error.message, error.fields, error.current);
  }

  const ticketPath = (id: string) => `/tickets/${encodeURIComponent(id)}`;
  async function uploadFile(recordPath: string, file: File): Promise<Attachment> {
    const grant = await call<UploadGrant>(`${recordPath}/attachments`, {
      method: 'POST',
      body: {
        fileName: file.name,
        contentType: file.type,
        size: file.size,
        sha256: await sha256Base64(file),
      },
    });
    let put: Response;
    try {
      put = await fetch(grant.upload.url, { method: 'PUT', headers: grant.upload.headers, body: file });
    } catch {
      throw new ApiError(0, 'network', `${file.name} could not be uploaded. Try again.`);
    }
    if (!put.ok) throw new ApiError(put.status, 'upload_failed', `${file.name} could not be uploaded.`);
    return call<Attachment>(`${recordPath}/attachments/${encodeURIComponent(grant.attachment.id)}/confirm`, {
      method: 'POST',
    });
  }
  const fileUrl = async (recordPath: string, attachmentId: string) =>
    (await call<{ url: string }>(`${recordPath}/attachments/${encodeURIComponent(attachmentId)}/download`))
      .url;
  const groupPath = (id: string) => `/groups/${encodeURIComponent(id)}`;

  return {
    request: call,
    me: () => call<Me>('/me'),
    createTicket: (ticket) => call<Ticket>('/tickets', { method: 'POST', body: ticket }),
    listMyTickets: (cursor) => call<TicketPage>(`/tickets?${query({ view: 'mine', cursor })}`),
    listQueue: (q, cursor) => call<TicketPage>(`/tickets?${query({ ...q, cursor })}`),
    findTicketByNumber: (number) => call<Ticket>(`/tickets/by-number/${encodeURIComponent(number)}`),
    getTicket: (id) => call<TicketWithConversation>(ticketPath(id)),
    updateTicket: (id, change) => call<Ticket>(ticketPath(id), { method: 'PATCH', body: change }),
    addArticle: (id, type, body) =>
      call(`${ticketPath(id)}/articles`, { method: 'POST', body: { type, body } }),
    history: (id, cursor) => call<Page<AuditEntry>>(`${ticketPath(id)}/history?${query({ cursor })}`),
    listAttachments: (id) => call<Page<Attachment>>(`${ticketPath(id)}/attachments`),
    uploadAttachment: (ticketId, file) => uploadFile(ticketPath(ticketId), file),
    uploadFile,
    fullBody: (ticketId, articleId) =>
      call<FullMailBody>(`${ticketPath(ticketId)}/articles/${encodeURIComponent(articleId)}/full-body`),
    downloadUrl: (ticketId, attachmentId) => fileUrl(ticketPath(ticketId), attachmentId),
    fileUrl,
    listGroups: (cursor) => call<Page<Group>>(`/groups?${query({ cursor })}`),
    createGroup: (group) => call<Group>('/groups', { method: 'POST', body: group }),
    getGroup: (id) => call<Group>(groupPath(id)),
    updateGroup: (id, change) => call<Group>(groupPath(id), { method: 'PATCH', body: change }),
    listMembers: (id, cursor) => call<Page<GroupMember>>(`${groupPath(id)}/members?${query({ cursor })}`),
    addMember: (id, member) =>
      call<GroupMember>(`${groupPath(id)}/members`, { method: 'POST', body: member }),
    removeMember: (id, email) =>
      call<void>(`${groupPath(id)}/members/${encodeURIComponent(email)}`, { method: 'DELETE' }),
    routing: () => call<RoutingConfig>('/routing'),
    saveRouting: (config) => call<RoutingConfig>('/routing', { method: 'PUT', body: config }),
    listQuarantine: (cursor) => call<Page<QuarantinedMail>>(`/quarantine?${query({ cursor })}`),
    releaseQuarantined: (id) =>
      call<void>(`/quarantine/${encodeURIComponent(id)}/release`, { method: 'POST' }),
    discardQuarantined: (id) =>
      call<QuarantinedMail>(`/quarantine/${encodeURIComponent(id)}/discard`, { method: 'POST' }),
  };
}

/** The message to show for a failed call; session expiry is handled by the app shell. */
export function failureMessage(error: unknown, fallback: string): string {
  return error instanceof ApiError ? error.message : fallback;
}
