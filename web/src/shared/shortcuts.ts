import { useEffect, useRef } from 'react';

/** Every shortcut the portal has, as the help dialog (`?`) lists them. */
export const shortcutHelp: readonly { readonly where: string; readonly keys: readonly [string, string][] }[] =
  [
    {
      where: 'Everywhere',
      keys: [
        ['?', 'Show this list of shortcuts'],
        ['/', 'Go to the search box (home page)'],
      ],
    },
    {
      where: 'Queues',
      keys: [
        ['j', 'Next ticket'],
        ['k', 'Previous ticket'],
      ],
    },
    {
      where: 'Ticket workspace',
      keys: [
        ['r', 'Write a public reply (seen and mailed to the requester)'],
        ['n', 'Write an internal note (agents only)'],
        ['a', 'Assign: go to the assignee field'],
        ['s', 'Change the state'],
        ['h', 'Go to the history'],
      ],
    },
  ];

const SETTING = 'spoke:single-key-shortcuts';

/**
 * Whether single-key shortcuts are on in this browser (WCAG 2.1.4: people who use speech input
 * or who press keys by accident must be able to turn them off). On unless turned off.
 */
export function shortcutsEnabled(): boolean {
  try {
    return enabledHere && window.localStorage.getItem(SETTING) !== 'off';
  } catch {
    return enabledHere;
  }
}
/** The setting for this page, for when storage is refused (private mode). */
let enabledHere = true;

export function setShortcutsEnabled(on: boolean): void {
  try {
    if (on) window.localStorage.removeItem(SETTING);
    else window.localStorage.setItem(SETTING, 'off');
  } catch {
    // Storage refused: the setting lasts as long as the page.
  }
  enabledHere = on;
}

/** True when a key press belongs to what the person is typing, not to the page. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag !== 'INPUT') return false;
  const type = (target as HTMLInputElement).type;
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'file'].includes(type);
}

/**
 * Single-key shortcuts for the page that uses them. They never fire while the person types
 * in a field, with a modifier held (browser and screen reader keys stay theirs), or while a
 * modal dialog is open.
 */
export function useShortcuts(bindings: Readonly<Record<string, () => void>>): void {
  const current = useRef(bindings);
  current.current = bindings;
  useEffect(() => {
    function onKey(event: KeyboardEvent) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) return;
      if (!shortcutsEnabled()) return;
      if (isTyping(event.target)) return;
      if (document.querySelector('dialog[open]')) return;
      const action = current.current[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    }
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}
