import { type KeyboardEvent, useEffect, useId, useMemo, useState } from 'react';
import './cmdb.css';
import { usePortal } from '../shared/portal-context.ts';
import { type ConfigurationItem, classLabels, cmdbApi } from './cmdb-api.ts';

const NUMBER = /^CFG\d{7,}$/i;

/**
 * A type-ahead for configuration items (the ARIA combobox pattern with a list box): type the
 * start of a name (or a CFG number), move with the arrow keys, pick with Enter or a click,
 * close with Escape. Searches CIs in service; `onPick` gets the CI chosen.
 */
export function CiPicker({
  label,
  onPick,
  disabled,
}: {
  label: string;
  onPick: (ci: ConfigurationItem) => void;
  disabled?: boolean;
}) {
  const { api } = usePortal();
  const cmdb = useMemo(() => cmdbApi(api), [api]);
  const id = useId();
  const [text, setText] = useState('');
  const [options, setOptions] = useState<readonly ConfigurationItem[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(-1);

  useEffect(() => {
    const q = text.trim();
    if (q.length === 0) {
      setOptions([]);
      return;
    }
    let live = true;
    const timer = setTimeout(() => {
      const search = NUMBER.test(q)
        ? cmdb.byNumber(q.toUpperCase()).then((ci) => [ci])
        : cmdb.list({ q }).then((page) => page.items.slice(0, 10));
      search
        .then((found) => {
          if (!live) return;
          setOptions(found);
          setActive(found.length > 0 ? 0 : -1);
          setOpen(true);
        })
        .catch(() => live && setOptions([]));
    }, 200);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [cmdb, text]);

  const pick = (ci: ConfigurationItem | undefined) => {
    if (!ci) return;
    onPick(ci);
    setText('');
    setOptions([]);
    setOpen(false);
  };
  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown' && options.length > 0) {
      event.preventDefault();
      setOpen(true);
      setActive((i) => (i + 1) % options.length);
    } else if (event.key === 'ArrowUp' && options.length > 0) {
      event.preventDefault();
      setActive((i) => (i <= 0 ? options.length - 1 : i - 1));
    } else if (event.key === 'Enter' && open && active >= 0) {
      event.preventDefault();
      pick(options[active]);
    } else if (event.key === 'Escape') {
      setOpen(false);
    }
  };
  const expanded = open && options.length > 0;
  const optionId = (i: number) => `${id}-option-${i}`;
  return (
    <div className="ci-picker">
      <label htmlFor={`${id}-input`}>{label}</label>
      <input
        id={`${id}-input`}
        type="text"
        role="combobox"
        aria-autocomplete="list"
        aria-expanded={expanded}
        aria-controls={`${id}-list`}
        {...(expanded && active >= 0 ? { 'aria-activedescendant': optionId(active) } : {})}
        autoComplete="off"
        disabled={disabled}
        value={text}
        onChange={(event) => setText(event.currentTarget.value)}
        onKeyDown={onKeyDown}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
      />
      <div id={`${id}-list`} role="listbox" aria-label={label} className="ci-picker-list" hidden={!expanded}>
        {options.map((ci, i) => (
          <div
            key={ci.id}
            tabIndex={-1}
            id={optionId(i)}
            role="option"
            aria-selected={i === active}
            className={i === active ? 'ci-picker-active' : undefined}
            onMouseDown={(event) => event.preventDefault()}
            onClick={() => pick(ci)}
            onKeyDown={() => undefined}
          >
            {ci.name}{' '}
            <span className="muted">
              · {classLabels[ci.class]} · {ci.number}
            </span>
          </div>
        ))}
      </div>
      <p className="visually-hidden" aria-live="polite">
        {text.trim() && open ? `${options.length} configuration items found` : ''}
      </p>
    </div>
  );
}
