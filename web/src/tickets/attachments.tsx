import { type ChangeEvent, useCallback, useId, useRef, useState } from 'react';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { DateTime, ErrorNotice, formatSize } from '../shared/components.tsx';
import { usePortal } from '../shared/portal-context.ts';
import type { Attachment } from '../shared/types.ts';
import { useLoad } from '../shared/use-load.ts';

/** The server's allow-list (functions/core/attachment/attachment.ts); checked here only to answer early. */
const ALLOWED_TYPES = new Set([
  'image/png',
  'image/jpeg',
  'image/gif',
  'image/webp',
  'application/pdf',
  'text/plain',
  'text/csv',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/zip',
  'message/rfc822',
]);
const MAX_BYTES = 25 * 1024 * 1024;
const ACCEPT = '.png,.jpg,.jpeg,.gif,.webp,.pdf,.txt,.csv,.docx,.xlsx,.pptx,.zip,.eml';

/** What is wrong with the chosen files, in words, or nothing. */
export function checkFiles(files: readonly File[]): string | undefined {
  for (const file of files) {
    if (!ALLOWED_TYPES.has(file.type)) return `${file.name}: this kind of file cannot be attached.`;
    if (file.size === 0) return `${file.name} is empty.`;
    if (file.size > MAX_BYTES) return `${file.name} is larger than 25 MB.`;
  }
  return undefined;
}

export function AttachmentPicker(props: {
  files: readonly File[];
  onChange: (files: readonly File[]) => void;
}) {
  const { files, onChange } = props;
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const problem = checkFiles(files);

  function add(event: ChangeEvent<HTMLInputElement>) {
    const chosen = Array.from(event.currentTarget.files ?? []);
    onChange([...files, ...chosen]);
    event.currentTarget.value = '';
  }

  return (
    <div className="field">
      <label htmlFor={`${id}-files`}>
        Attachments <span className="optional">(optional)</span>
      </label>
      <p className="hint" id={`${id}-hint`}>
        Screenshots, PDFs, Office documents, text or zip files, up to 25 MB each.
      </p>
      <input
        ref={input}
        id={`${id}-files`}
        type="file"
        multiple
        accept={ACCEPT}
        onChange={add}
        aria-describedby={`${id}-hint${problem ? ` ${id}-problem` : ''}`}
      />
      {files.length > 0 && (
        <ul className="file-list" aria-label="Files to attach">
          {files.map((file, index) => (
            <li key={`${file.name}-${file.size}-${file.lastModified}`}>
              <span>
                {file.name} <span className="muted">({formatSize(file.size)})</span>
              </span>
              <button
                type="button"
                className="link-button"
                onClick={() => onChange(files.filter((_, i) => i !== index))}
              >
                Remove <span className="visually-hidden">{file.name}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
      {problem && (
        <p className="field-error" id={`${id}-problem`}>
          {problem}
        </p>
      )}
    </div>
  );
}

/** A ticket's files: download each, add more (straight to S3 through a presigned URL). */
export function TicketAttachments({ ticketId, canAdd }: { ticketId: string; canAdd: boolean }) {
  const { api } = usePortal();
  const fetcher = useCallback(() => api.listAttachments(ticketId), [api, ticketId]);
  const { load, reload } = useLoad(fetcher, 'The attachments could not be loaded.');
  const [files, setFiles] = useState<readonly File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();

  async function upload() {
    const problem = checkFiles(files);
    if (problem) return setError(problem);
    setBusy(true);
    setError(undefined);
    setDone(undefined);
    try {
      for (const file of files) await api.uploadAttachment(ticketId, file);
      setDone(files.length === 1 ? 'File attached.' : `${files.length} files attached.`);
      setFiles([]);
      await reload();
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return;
      setError(failure instanceof ApiError ? failure.message : 'The files could not be attached.');
    } finally {
      setBusy(false);
    }
  }

  async function download(attachment: Attachment) {
    try {
      window.location.assign(await api.downloadUrl(ticketId, attachment.id));
    } catch (failure) {
      if (failure instanceof SessionExpiredError) return;
      setError(
        failure instanceof ApiError ? failure.message : `${attachment.fileName} could not be downloaded.`,
      );
    }
  }

  const available = load.status === 'ready' ? load.data.items.filter((a) => a.state === 'available') : [];
  return (
    <section aria-labelledby={`attachments-${ticketId}`} className="panel">
      <h2 id={`attachments-${ticketId}`}>Attachments</h2>
      {load.status === 'loading' && <p className="loading">Loading attachments…</p>}
      {load.status === 'failed' && <ErrorNotice message={load.message} onRetry={() => void reload()} />}
      {load.status === 'ready' && available.length === 0 && <p className="muted">No files attached.</p>}
      {available.length > 0 && (
        <ul className="file-list">
          {available.map((attachment) => (
            <li key={attachment.id}>
              <button type="button" className="link-button" onClick={() => void download(attachment)}>
                {attachment.fileName}
              </button>
              <span className="muted">
                {formatSize(attachment.size)} · <DateTime iso={attachment.createdAt} />
              </span>
            </li>
          ))}
        </ul>
      )}
      {error && <ErrorNotice message={error} />}
      {done && (
        <p className="success-text" role="status">
          {done}
        </p>
      )}
      {canAdd && (
        <>
          <AttachmentPicker files={files} onChange={setFiles} />
          {files.length > 0 && (
            <button
              type="button"
              className="button button-secondary"
              disabled={busy}
              onClick={() => void upload()}
            >
              {busy ? 'Attaching…' : 'Attach files'}
            </button>
          )}
        </>
      )}
    </section>
  );
}
