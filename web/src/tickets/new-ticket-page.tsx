import { type FormEvent, useId, useRef, useState } from 'react';
import { KnowledgeSuggestions } from '../knowledge/suggestions.tsx';
import { ApiError, SessionExpiredError } from '../shared/api.ts';
import { ErrorNotice, PageHeading } from '../shared/components.tsx';
import { usePeople } from '../shared/people.ts';
import { isAgent, usePortal } from '../shared/portal-context.ts';
import { navigate, paths } from '../shared/router.tsx';
import type { Level, TicketKind } from '../shared/types.ts';
import { usePageTitle } from '../shared/use-page-title.ts';
import { AttachmentPicker, checkFiles } from './attachments.tsx';
import { OnBehalfFields, onBehalfOf } from './on-behalf.tsx';

const SHORT_DESCRIPTION_MAX = 160;
const DESCRIPTION_MAX = 10_000;

const copy: Record<TicketKind, { title: string; intro: string; summaryHint: string }> = {
  incident: {
    title: 'Something is broken',
    intro: 'Tell us what is not working. We will reply by email and here in the portal.',
    summaryHint: 'For example: “Laptop does not start after update”.',
  },
  request: {
    title: 'Request something',
    intro: 'Tell us what you need. We will reply by email and here in the portal.',
    summaryHint: 'For example: “Access to the finance shared drive”.',
  },
};

type FieldName = 'shortDescription' | 'description' | 'requester.email';

export function NewTicketPage({ kind }: { kind: TicketKind }) {
  const { api, session } = usePortal();
  const agent = isAgent(session);
  const { members } = usePeople();
  const text = copy[kind];
  usePageTitle(text.title);
  const id = useId();
  const shortDescriptionInput = useRef<HTMLInputElement>(null);
  const [subject, setSubject] = useState('');
  const [submitting, setSubmitting] = useState(false);
  const [formError, setFormError] = useState<string>();
  const [fieldErrors, setFieldErrors] = useState<Partial<Record<FieldName, string>>>({});
  const [files, setFiles] = useState<readonly File[]>([]);
  const [progress, setProgress] = useState<string>();

  async function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const shortDescription = String(form.get('shortDescription') ?? '').trim();
    const description = String(form.get('description') ?? '').trim();
    if (!shortDescription) {
      setFieldErrors({ shortDescription: 'Enter a short description.' });
      shortDescriptionInput.current?.focus();
      return;
    }
    const fileProblem = checkFiles(files);
    if (fileProblem) {
      setFormError(fileProblem);
      return;
    }
    setSubmitting(true);
    setFormError(undefined);
    setFieldErrors({});
    try {
      const forSomeone = agent
        ? onBehalfOf(form, new Map(members.flatMap((m) => (m.name ? [[m.email, m.name] as const] : []))))
        : {};
      const ticket = await api.createTicket({
        kind,
        shortDescription,
        description,
        impact: levelOf(form.get('impact')),
        urgency: levelOf(form.get('urgency')),
        ...forSomeone,
      });
      const failedUploads: string[] = [];
      for (const [index, file] of files.entries()) {
        setProgress(`Attaching ${file.name} (${index + 1} of ${files.length})…`);
        try {
          await api.uploadAttachment(ticket.id, file);
        } catch (error) {
          if (error instanceof SessionExpiredError) return;
          failedUploads.push(file.name);
        }
      }
      const page = 'requester' in forSomeone ? paths.workspace(ticket.id) : paths.ticket(ticket.id);
      navigate(page, { note: { createdTicket: true, failedUploads } });
    } catch (error) {
      if (error instanceof SessionExpiredError) return;
      setSubmitting(false);
      if (error instanceof ApiError) {
        setFormError(error.message);
        setFieldErrors(Object.fromEntries(error.fields.map((field) => [field.path, field.message])));
      } else {
        setFormError('Your ticket could not be sent. Try again.');
      }
    }
  }

  const describedBy = (field: FieldName, hint?: string) =>
    [hint, fieldErrors[field] && `${id}-${field}-error`].filter(Boolean).join(' ') || undefined;

  return (
    <>
      <PageHeading>{text.title}</PageHeading>
      <p className="lead">{text.intro}</p>
      {formError && <ErrorNotice message={formError} />}
      <form className="form" onSubmit={submit} noValidate>
        {agent && <OnBehalfFields error={fieldErrors['requester.email']} />}
        <div className="field">
          <label htmlFor={`${id}-shortDescription`}>
            Short description <span className="required">(required)</span>
          </label>
          <p className="hint" id={`${id}-shortDescription-hint`}>
            {text.summaryHint}
          </p>
          <input
            ref={shortDescriptionInput}
            id={`${id}-shortDescription`}
            name="shortDescription"
            required
            maxLength={SHORT_DESCRIPTION_MAX}
            autoComplete="off"
            aria-invalid={fieldErrors.shortDescription ? true : undefined}
            aria-describedby={describedBy('shortDescription', `${id}-shortDescription-hint`)}
            onChange={(event) => setSubject(event.currentTarget.value)}
          />
          {!agent && <KnowledgeSuggestions subject={subject} />}
          {fieldErrors.shortDescription && (
            <p className="field-error" id={`${id}-shortDescription-error`}>
              {fieldErrors.shortDescription}
            </p>
          )}
        </div>
        <div className="field">
          <label htmlFor={`${id}-description`}>Description</label>
          <p className="hint" id={`${id}-description-hint`}>
            What happened, what you expected, and anything you already tried.
          </p>
          <textarea
            id={`${id}-description`}
            name="description"
            rows={6}
            maxLength={DESCRIPTION_MAX}
            aria-invalid={fieldErrors.description ? true : undefined}
            aria-describedby={describedBy('description', `${id}-description-hint`)}
          />
          {fieldErrors.description && (
            <p className="field-error" id={`${id}-description-error`}>
              {fieldErrors.description}
            </p>
          )}
        </div>
        {kind === 'incident' && (
          <div className="field-row">
            <LevelSelect
              id={`${id}-impact`}
              name="impact"
              label="Impact"
              options={['Many people or a whole team', 'A few people', 'Only me']}
            />
            <LevelSelect
              id={`${id}-urgency`}
              name="urgency"
              label="Urgency"
              options={['I cannot work at all', 'My work is slowed down', 'It can wait']}
            />
          </div>
        )}
        <AttachmentPicker files={files} onChange={setFiles} />
        <div className="form-actions">
          <button type="submit" className="button" disabled={submitting}>
            {submitting ? 'Sending…' : kind === 'incident' ? 'Send report' : 'Send request'}
          </button>
          {progress && submitting && (
            <p className="muted" role="status">
              {progress}
            </p>
          )}
        </div>
      </form>
    </>
  );
}

function LevelSelect(props: {
  id: string;
  name: string;
  label: string;
  options: readonly [string, string, string];
}) {
  return (
    <div className="field">
      <label htmlFor={props.id}>
        {props.label} <span className="optional">(optional)</span>
      </label>
      <select id={props.id} name={props.name} defaultValue="">
        <option value="">Not sure</option>
        {props.options.map((option, index) => (
          <option key={option} value={index + 1}>
            {option}
          </option>
        ))}
      </select>
    </div>
  );
}

/** "Not sure" leaves the level out, so the service desk's default applies. */
function levelOf(value: FormDataEntryValue | null): Level | undefined {
  const level = Number(value);
  return level === 1 || level === 2 || level === 3 ? level : undefined;
}
