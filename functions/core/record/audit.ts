import type { IdGenerator } from '#ports/clock.ts';
import type { DomainEvent } from '#ports/domain-events.ts';
import type { ActorRef, StoredLink } from './record.ts';

/**
 * The one audit diff of every record type: each audited field whose value differs between the
 * record before and after a write becomes one immutable history entry (who, when, which
 * field, from what, to what, why) and one line of the `<type>.updated` domain event. Written
 * once here, so no record type can forget a field's history or announce a change it did not
 * audit.
 */

/** One history entry before the store files it under its record. */
export interface AuditDraft {
  readonly at: string;
  readonly actor: ActorRef;
  readonly field: string;
  readonly oldValue?: unknown;
  readonly newValue?: unknown;
  /** Why, when the change was not a plain edit: the routing rule, the auto-close, the workflow. */
  readonly reason?: string;
}

/** A field the history follows, and how its value is written down. */
export interface AuditedField<R> {
  readonly field: string;
  /** The value the history keeps. @default the record's property of that name */
  readonly value?: (record: R) => unknown;
  /** What is compared to tell a change. @default `value` */
  readonly compare?: (record: R) => unknown;
  /** The entry's reason; receives the write's reason. @default the write's reason */
  readonly reason?: (before: R, after: R, reason: string | undefined) => string | undefined;
}

/** The audited fields of a record type: names of plain fields, or specs for the others. */
export type AuditSpec<R> = readonly (AuditedField<R> | (keyof R & string))[];

const specOf = <R>(entry: AuditedField<R> | (keyof R & string)): AuditedField<R> =>
  typeof entry === 'string' ? { field: entry } : entry;

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** One history entry per audited field whose value differs between the two records. */
export function auditDiff<R>(
  spec: AuditSpec<R>,
  before: R,
  after: R,
  write: { readonly actor: ActorRef; readonly at: string; readonly reason?: string | undefined },
): AuditDraft[] {
  return spec.flatMap((entry) => {
    const { field, value, compare, reason } = specOf(entry);
    const read = value ?? ((record: R) => (record as Record<string, unknown>)[field]);
    const compared = compare ?? read;
    if (same(compared(before), compared(after))) return [];
    const why = reason ? reason(before, after, write.reason) : write.reason;
    return [
      {
        at: write.at,
        actor: { id: write.actor.id, email: write.actor.email },
        field,
        oldValue: read(before),
        newValue: read(after),
        ...(why ? { reason: why } : {}),
      },
    ];
  });
}

/** What changed, as the `updated` event tells it: field, old value, new value. */
export const changesOf = (audit: readonly AuditDraft[]) =>
  audit.map(({ field, oldValue, newValue }) => ({ field, oldValue, newValue }));

/**
 * The `<type>.updated` event of a write, announcing every audited change; none when nothing
 * audited changed.
 */
export function updatedEvent(
  type: DomainEvent['type'],
  subject: Readonly<Record<string, string>>,
  audit: readonly AuditDraft[],
  meta: { readonly ids: IdGenerator; readonly at: string },
): DomainEvent[] {
  if (audit.length === 0) return [];
  return [{ type, id: meta.ids.next(), at: meta.at, detail: { ...subject, changes: changesOf(audit) } }];
}

/** The `record.linked` event of a link stored between two records (or removed: `removed: true`). */
export function linkedEvent(
  link: StoredLink,
  meta: { readonly id: string; readonly at: string; readonly removed?: boolean },
): DomainEvent {
  const ref = ({ kind, id, number }: StoredLink['source']) => ({ kind, id, number });
  return {
    type: 'record.linked',
    id: meta.id,
    at: meta.at,
    detail: {
      type: link.type,
      source: ref(link.source),
      target: ref(link.target),
      ...(meta.removed ? { removed: true } : {}),
    },
  };
}
