import { type ReactNode, useEffect, useRef } from 'react';
import { formatDateTime, formatDateTimeWithZone, stateLabels } from './format.ts';
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
