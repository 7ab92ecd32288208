import { type Ref, useEffect, useId, useImperativeHandle, useRef, useState } from 'react';
import { asDataUrl, inlineImageIds } from '../shared/inline-images.ts';

/** What the editor hands back: the HTML to send (the server sanitizes it) and whether it is empty. */
export interface RichTextHandle {
  html(): string;
}

const FORMATS = [
  { label: 'Bold', command: 'bold' },
  { label: 'Italic', command: 'italic' },
  { label: 'Heading', command: 'formatBlock', value: 'h2' },
  { label: 'Paragraph', command: 'formatBlock', value: 'p' },
  { label: 'Bulleted list', command: 'insertUnorderedList' },
  { label: 'Numbered list', command: 'insertOrderedList' },
] as const;

/** Largest picture an article takes (the attachment limit is larger; pictures are read inline). */
export const MAX_PICTURE_BYTES = 5 * 1024 * 1024;
const PICTURE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'];

/**
 * The body of an article as the reader will see it: a small set of formats (bold, italic,
 * headings, lists) and pictures. A picture is uploaded as one of the article's files and named
 * `cid:<file id>` in the HTML sent; the server sanitizes the whole body as it does mail, so
 * nothing pasted here survives that the allowlist does not keep.
 */
export function RichTextEditor(props: {
  ref: Ref<RichTextHandle>;
  labelId: string;
  describedBy?: string;
  initialHtml: string;
  /** Uploads a picture as a file of the article; absent until the article exists. */
  upload?: (file: File) => Promise<string>;
  /** A presigned URL of one of the article's files, to show a stored picture while editing. */
  download?: (attachmentId: string) => Promise<string>;
}) {
  const { initialHtml, download } = props;
  const box = useRef<HTMLDivElement>(null);
  const id = useId();
  const [message, setMessage] = useState<string>();

  useImperativeHandle(props.ref, () => ({
    html() {
      const copy = box.current?.cloneNode(true) as HTMLElement | undefined;
      if (!copy) return '';
      for (const image of copy.querySelectorAll('img[data-attachment]')) {
        image.setAttribute('src', `cid:${image.getAttribute('data-attachment')}`);
        image.removeAttribute('data-attachment');
      }
      return copy.innerHTML;
    },
  }));

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    element.innerHTML = initialHtml.replace(
      /src="\/inline\/([A-Za-z0-9_-]{1,64})"/g,
      (_, attachment: string) => `data-attachment="${attachment}" src=""`,
    );
    if (!download) return;
    for (const attachment of inlineImageIds(initialHtml)) {
      download(attachment)
        .then((url) => fetch(url))
        .then((response) => response.blob())
        .then(asDataUrl)
        .then((source) => {
          for (const image of element.querySelectorAll(`img[data-attachment="${attachment}"]`))
            image.setAttribute('src', source);
        })
        .catch(() => undefined);
    }
  }, [initialHtml, download]);

  const format = (command: string, value?: string) => {
    box.current?.focus();
    document.execCommand(command, false, value);
  };

  async function addPicture(file: File) {
    setMessage(undefined);
    if (!PICTURE_TYPES.includes(file.type))
      return setMessage(`${file.name} is not a PNG, JPEG, GIF or WebP picture.`);
    if (file.size > MAX_PICTURE_BYTES) return setMessage(`${file.name} is larger than 5 MB.`);
    if (!props.upload) return;
    try {
      setMessage(`Uploading ${file.name}…`);
      const attachment = await props.upload(file);
      const image = document.createElement('img');
      image.setAttribute('data-attachment', attachment);
      image.setAttribute('alt', file.name.replace(/\.[a-z0-9]+$/i, ''));
      image.setAttribute('src', await asDataUrl(file));
      const paragraph = document.createElement('p');
      paragraph.append(image);
      box.current?.append(paragraph);
      setMessage(`${file.name} added at the end of the text.`);
    } catch {
      setMessage(`${file.name} could not be uploaded. Try again.`);
    }
  }

  return (
    <div className="rich-text">
      <div role="toolbar" aria-label="Formatting" aria-controls={`${id}-box`} className="rich-text-toolbar">
        {FORMATS.map((f) => (
          <button
            key={f.label}
            type="button"
            className="button button-secondary button-small"
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => format(f.command, 'value' in f ? f.value : undefined)}
          >
            {f.label}
          </button>
        ))}
        {props.upload ? (
          <label className="button button-secondary button-small">
            Add picture
            <input
              type="file"
              className="visually-hidden"
              accept={PICTURE_TYPES.join(',')}
              onChange={(event) => {
                const file = event.currentTarget.files?.[0];
                event.currentTarget.value = '';
                if (file) void addPicture(file);
              }}
            />
          </label>
        ) : (
          <span className="hint">Save the draft first to add pictures.</span>
        )}
      </div>
      {/* biome-ignore lint/a11y/useSemanticElements: a rich text box has no native element; role textbox is the ARIA pattern */}
      <div
        ref={box}
        id={`${id}-box`}
        className="rich-text-box"
        contentEditable
        suppressContentEditableWarning
        role="textbox"
        tabIndex={0}
        aria-multiline="true"
        aria-labelledby={props.labelId}
        aria-describedby={props.describedBy}
      />
      {message && (
        <p className="hint" role="status">
          {message}
        </p>
      )}
    </div>
  );
}
