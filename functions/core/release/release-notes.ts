import type { Change } from '../change/change.ts';
import type { Actor } from '../identity/actor.ts';
import type { RecordRef } from '../record/record.ts';
import type { Release } from './release.ts';
import { type ReleaseDeps, releaseChanges, visibleRelease } from './release-service.ts';

/**
 * Release notes, generated from what the release links: its changes, the problems those
 * changes fix and the incidents of those problems. Given as data (the page draws it) and as
 * Markdown (to paste or publish). Nothing is typed twice: the notes change when the links do.
 */
export interface ReleaseNoteItem {
  readonly number: string;
  readonly title: string;
  /** Why it is in the notes: the change or problem it came through. */
  readonly via?: string;
  readonly detail?: string;
}

export interface ReleaseNotes {
  readonly release: Pick<
    Release,
    'id' | 'number' | 'name' | 'versionLabel' | 'stage' | 'plannedStart' | 'plannedEnd'
  >;
  readonly changes: readonly ReleaseNoteItem[];
  readonly problems: readonly ReleaseNoteItem[];
  readonly incidents: readonly ReleaseNoteItem[];
  readonly markdown: string;
}

/** Links read per release at most: notes are for people, not for a data export. */
const MAX_ITEMS = 100;

const changeDetail = (c: Change) =>
  [
    c.state === 'closed' && c.closeCode ? `${c.state}, ${c.closeCode.replaceAll('_', ' ')}` : c.state,
    ...c.services,
  ]
    .filter(Boolean)
    .join(' · ');

/** Markdown with the characters that would format user text escaped. */
export const md = (text: string): string =>
  text.replace(/[\\`*_[\]<>#|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');

export function notesMarkdown(notes: Omit<ReleaseNotes, 'markdown'>): string {
  const r = notes.release;
  const list = (items: readonly ReleaseNoteItem[], empty: string) =>
    items.length === 0
      ? [`_${empty}_`]
      : items.map(
          (i) =>
            `- **${i.number}** ${md(i.title)}${i.detail ? ` (${md(i.detail)})` : ''}${i.via ? ` — via ${i.via}` : ''}`,
        );
  return [
    `# ${r.number} ${md(r.name)}${r.versionLabel ? ` ${md(r.versionLabel)}` : ''}`,
    '',
    `Planned ${r.plannedStart.slice(0, 16).replace('T', ' ')} – ${r.plannedEnd.slice(0, 16).replace('T', ' ')} UTC · stage ${r.stage}`,
    '',
    '## Changes',
    ...list(notes.changes, 'No changes yet.'),
    '',
    '## Problems fixed',
    ...list(notes.problems, 'No problems are fixed by these changes.'),
    '',
    '## Incidents addressed',
    ...list(notes.incidents, 'No incidents are linked to those problems.'),
    '',
  ].join('\n');
}

export async function releaseNotes(deps: ReleaseDeps, actor: Actor, id: string): Promise<ReleaseNotes> {
  const { release, links } = await visibleRelease(deps, actor, id);
  const changes = (await releaseChanges(deps, links)).slice(0, MAX_ITEMS);
  const problems = new Map<string, ReleaseNoteItem & { id: string }>();
  for (const change of changes) {
    const fixes = await deps.releases.linksOf({ kind: 'change', id: change.id }, 'problem');
    for (const link of fixes) {
      const problem = link.source.kind === 'problem' ? link.source : link.target;
      if (problems.has(problem.id) || problems.size >= MAX_ITEMS) continue;
      const found = await deps.problems.get(problem.id);
      problems.set(problem.id, {
        id: problem.id,
        number: problem.number,
        title: found?.problem.shortDescription ?? problem.number,
        ...(found ? { detail: found.problem.state.replaceAll('_', ' ') } : {}),
        via: change.number,
      });
    }
  }
  const incidents = new Map<string, ReleaseNoteItem>();
  for (const problem of problems.values()) {
    const of = await deps.releases.linksOf({ kind: 'problem', id: problem.id }, 'incident');
    for (const link of of) {
      const incident: RecordRef = link.source.kind === 'incident' ? link.source : link.target;
      if (incidents.has(incident.id) || incidents.size >= MAX_ITEMS) continue;
      const found = await deps.tickets.get(incident.id);
      incidents.set(incident.id, {
        number: incident.number,
        title: found?.ticket.shortDescription ?? incident.number,
        via: problem.number,
      });
    }
  }
  const notes = {
    release: {
      id: release.id,
      number: release.number,
      name: release.name,
      ...(release.versionLabel ? { versionLabel: release.versionLabel } : {}),
      stage: release.stage,
      plannedStart: release.plannedStart,
      plannedEnd: release.plannedEnd,
    },
    changes: changes.map((c) => ({ number: c.number, title: c.shortDescription, detail: changeDetail(c) })),
    problems: [...problems.values()].map(({ id: _, ...item }) => item),
    incidents: [...incidents.values()],
  };
  return { ...notes, markdown: notesMarkdown(notes) };
}
