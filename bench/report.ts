import { cpus, loadavg, totalmem } from 'node:os';

/** One measured figure. `target` is the budget it is read against; the bench reports, it never fails. */
export interface Figure {
  readonly name: string;
  readonly value: number;
  readonly unit: 'ms' | 'µs' | 'KB' | 'MB' | 'msg/s' | 'exec/s' | 'op/s' | 'n' | '%';
  /** The budget: the figure should not exceed it (not fall below it, for a rate: a unit ending in `/s`). */
  readonly target?: number;
  readonly note?: string;
}

/** What a suite hands the runner: its figures plus observations worth keeping next to them. */
export interface SuiteResult {
  readonly suite: string;
  readonly figures: readonly Figure[];
  readonly notes: readonly string[];
}

export interface MachineFacts {
  readonly node: string;
  readonly platform: string;
  readonly cpuCount: number;
  readonly cpuModel: string;
  readonly totalMemoryMB: number;
}

export interface Report {
  readonly startedAt: string;
  readonly machine: MachineFacts;
  readonly suites: readonly SuiteResult[];
}

/**
 * The machine's 1-minute load average, for a note next to timings: on a shared machine a busy
 * minute inflates CPU and wall figures alike.
 */
export const loadNote = (when: string) =>
  `load average ${when}: ${loadavg()[0]?.toFixed(1)} on ${cpus().length} cores`;

/** The facts a figure depends on, so reports from different machines are not compared blindly. */
export function machineFacts(): MachineFacts {
  const cpu = cpus();
  return {
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    cpuCount: cpu.length,
    cpuModel: cpu[0]?.model.trim() ?? 'unknown',
    totalMemoryMB: Math.round(totalmem() / 2 ** 20),
  };
}

const formatValue = (value: number, unit: Figure['unit']) =>
  unit === 'n'
    ? String(Number(value.toFixed(1)))
    : `${unit === 'ms' && value >= 10 ? Math.round(value) : Number(value.toFixed(unit === 'ms' && value < 1 ? 2 : 1))} ${unit}`;

/** Rates (`…/s`) are budgets from below: more is better. */
const isRate = (unit: Figure['unit']) => unit.endsWith('/s');
const withinTarget = (figure: Figure & { target: number }) =>
  isRate(figure.unit) ? figure.value >= figure.target : figure.value <= figure.target;

function rows(report: Report): string[][] {
  return report.suites.flatMap((suite) =>
    suite.figures.map((figure) => [
      suite.suite,
      figure.name,
      formatValue(figure.value, figure.unit),
      figure.target === undefined
        ? '—'
        : `${isRate(figure.unit) ? '≥' : '≤'} ${formatValue(figure.target, figure.unit)}`,
      figure.target === undefined
        ? ''
        : withinTarget({ ...figure, target: figure.target })
          ? 'within'
          : isRate(figure.unit)
            ? 'UNDER'
            : 'OVER',
      figure.note ?? '',
    ]),
  );
}

const header = ['suite', 'figure', 'value', 'target', '', 'note'];

const machineLine = ({ machine }: Report) =>
  `Node ${machine.node} on ${machine.platform}, ${machine.cpuCount} × ${machine.cpuModel}, ${machine.totalMemoryMB} MB RAM`;

/** The table printed on stdout: aligned columns, figures next to their targets. */
export function textTable(report: Report): string {
  const table = [header, ...rows(report)];
  const widths = header.map((_, column) => Math.max(...table.map((row) => (row[column] ?? '').length)));
  const line = (row: string[]) =>
    row
      .map((cell, column) =>
        column === 2 ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  const notes = report.suites.flatMap((suite) => suite.notes.map((note) => `  [${suite.suite}] ${note}`));
  return [
    machineLine(report),
    '',
    line(header),
    line(widths.map((width) => '-'.repeat(width))),
    ...rows(report).map(line),
    ...(notes.length ? ['', 'Notes:', ...notes] : []),
  ].join('\n');
}

/** The same report as Markdown, for reading next to the JSON. */
export function markdown(report: Report): string {
  const cell = (text: string) => text.replaceAll('|', '\\|');
  const notes = report.suites.flatMap((suite) => suite.notes.map((note) => `- **${suite.suite}**: ${note}`));
  return [
    `# Spoke bench, ${report.startedAt}`,
    '',
    machineLine(report),
    '',
    `| ${header.join(' | ')} |`,
    `| ${header.map((_, i) => (i === 2 ? '---:' : '---')).join(' | ')} |`,
    ...rows(report).map((row) => `| ${row.map(cell).join(' | ')} |`),
    ...(notes.length ? ['', '## Notes', '', ...notes] : []),
    '',
  ].join('\n');
}
