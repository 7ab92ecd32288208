import { useEffect, useState } from 'react';
import { ApiError } from '../shared/api.ts';
import type { AnswerValue } from './catalog-api.ts';

/**
 * The order being put together (the cart): one line per item, each already checked against its
 * form by the server when it went in. Kept in sessionStorage, so it lives as long as the tab and
 * is never shared with another person signing in on the same browser afterwards.
 */
export interface CartLine {
  readonly itemId: string;
  readonly name: string;
  readonly answers: Record<string, AnswerValue>;
  /** The form's field labels, so an answer or an error reads as the form said it. */
  readonly labels: Record<string, string>;
}

const KEY = 'spoke.catalog.cart';
const CHANGED = 'spoke-cart-changed';

export function readCart(): CartLine[] {
  try {
    const stored = JSON.parse(sessionStorage.getItem(KEY) ?? '[]') as unknown;
    return Array.isArray(stored) ? (stored as CartLine[]) : [];
  } catch {
    return [];
  }
}

export function writeCart(lines: readonly CartLine[]): void {
  if (lines.length === 0) sessionStorage.removeItem(KEY);
  else sessionStorage.setItem(KEY, JSON.stringify(lines));
  window.dispatchEvent(new Event(CHANGED));
}

/** The cart's lines, re-read whenever another page of this tab changes it. */
export function useCart(): readonly CartLine[] {
  const [lines, setLines] = useState(readCart);
  useEffect(() => {
    const reread = () => setLines(readCart());
    window.addEventListener(CHANGED, reread);
    return () => window.removeEventListener(CHANGED, reread);
  }, []);
  return lines;
}

/** A line's answers as text: `Model: pixel-9 · Keep my number: yes`. */
export function answersText(line: Pick<CartLine, 'answers' | 'labels'>): string {
  return Object.entries(line.answers)
    .map(([field, value]) => {
      const shown = Array.isArray(value)
        ? value.join(', ')
        : value === true
          ? 'yes'
          : value === false
            ? 'no'
            : value;
      return `${line.labels[field] ?? field}: ${shown}`;
    })
    .join(' · ');
}

/**
 * The server's 400 for an order, per line: `items[1].answers.model` becomes line 1's `model`,
 * `items[1].itemId` line 1's `itemId`; anything else (`requestedFor`) is kept under `order`.
 */
export function problemsByLine(failure: ApiError): Map<number | 'order', Record<string, string>> {
  const byLine = new Map<number | 'order', Record<string, string>>();
  for (const problem of failure.fields) {
    const [, index, rest] = /^items\[(\d+)\]\.(?:answers\.)?(.+)$/.exec(problem.path) ?? [];
    const key = index === undefined ? 'order' : Number(index);
    const field = rest ?? problem.path;
    byLine.set(key, { ...byLine.get(key), [field]: problem.message });
  }
  return byLine;
}

export const isFieldFailure = (failure: unknown): failure is ApiError =>
  failure instanceof ApiError && failure.fields.length > 0;
