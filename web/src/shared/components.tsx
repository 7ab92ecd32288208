import { type ReactNode, useEffect, useId, useMemo, useRef } from 'react';
import { formatDateTime, formatDateTimeWithZone, priorityLabels, stateLabels } from './format.ts';
import type { TicketState } from './types.ts';

/** The page heading takes focus on navigation, so keyboard and screen reader users start at the top. */
export function PageHeading({ children }: { children: ReactNode }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
  }, []);
  return (
    <h1 ref={heading} tabIndex={-1}>
      {children}
    </h1>
  );
}

export function DateTime({ iso }: { iso: string }) {
  return (
    <time dateTime={iso} title={formatDateTimeWithZone(iso)}>
      {formatDateTime(iso)}
    </time>
  );
}

export function StateBadge({ state }: { state: TicketState }) {
  return <span className={`badge badge-${state}`}>{stateLabels[state]}</span>;
}

export function Loading({ label }: { label: string }) {
  return (
    <p className="loading" role="status">
      {label}
    </p>
  );
}

export function ErrorNotice({ message, onRetry }: { message: string; onRetry?: () => void }) {
  return (
    <div className="notice notice-error" role="alert">
      <p>{message}</p>
      {onRetry && (
        <button type="button" className="button button-secondary" onClick={onRetry}>
          Try again
        </button>
      )}
    </div>
  );
}

export function Notice({
  tone = 'info',
  children,
}: {
  tone?: 'info' | 'success' | 'error';
  children: ReactNode;
}) {
  return (
    <div
      className={`notice${tone === 'info' ? '' : ` notice-${tone}`}`}
      role={tone === 'error' ? 'alert' : 'status'}
    >
      {children}
    </div>
  );
}

export function PriorityBadge({ priority }: { priority: number }) {
  return (
    <span className={`priority priority-${priority}`}>{priorityLabels[priority] ?? `P${priority}`}</span>
  );
}

/**
 * The mail HTML without inline styles. A `srcdoc` frame inherits the portal's CSP, whose
 * `style-src 'self'` refuses `style` attributes one by one (a violation report each); taking
 * them out first shows the same thing without the noise. Not a parser on purpose (DOMParser
 * reports the same violations): the server's sanitizer writes every tag as `<name a="…">` with
 * `<`, `>` and `"` escaped inside values and text, so a tag is exactly `<letter…>`.
 */
export function withoutInlineStyles(html: string): string {
  return html.replace(/<[a-zA-Z][^<>]*>/g, (tag) => tag.replace(/\sstyle="[^"]*"/gi, ''));
}

/**
 * Mail HTML, already sanitized by the server, in a frame that may do nothing: `sandbox=""`
 * gives it an opaque origin with scripts, forms, popups and top navigation all off, and the
 * portal's CSP still applies to `srcdoc`. The frame cannot size itself to its content without
 * script, so it has a fixed height the reader can resize.
 */
export function MailFrame({ html, title }: { html: string; title: string }) {
  const source = useMemo(() => withoutInlineStyles(html), [html]);
  return (
    <iframe className="mail-frame" sandbox="" srcDoc={source} title={title} referrerPolicy="no-referrer" />
  );
}

/** A native modal dialog: the browser traps focus, Escape closes it, focus returns to the opener. */
export function Dialog(props: { open: boolean; title: string; onClose: () => void; children: ReactNode }) {
  const { open, title, onClose, children } = props;
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const element = dialog.current;
    if (!element) return;
    if (open && !element.open) element.showModal();
    if (!open && element.open) element.close();
  }, [open]);
  return (
    <dialog ref={dialog} className="dialog" aria-labelledby={titleId} onClose={onClose}>
      <div className="dialog-head">
        <h2 id={titleId}>{title}</h2>
        <button type="button" className="button button-secondary" onClick={onClose}>
          Close
        </button>
      </div>
      {children}
    </dialog>
  );
}

export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}
