import { describe, expect, it } from 'vitest';
import { formatNextUpdate } from './status-api.ts';

describe('the next update time on the status banner', () => {
  it('is a 24-hour time today and names the weekday on another day', () => {
    const now = new Date('2026-12-03T09:00:00Z');
    expect(formatNextUpdate('2026-12-03T13:00:00Z', now, 'Europe/Berlin')).toBe('14:00');
    expect(formatNextUpdate('2026-12-04T08:30:00Z', now, 'Europe/Berlin')).toMatch(/^Fri.*09:30$/);
  });
});
