import { type ChildProcess, spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';

/** Benchmarks open hundreds of tickets a minute as one person: lift the per-person limit. */
export const UNLIMITED_TICKET_OPENS = {
  TICKET_OPEN_LIMIT_PER_MINUTE: '999999',
  TICKET_OPEN_LIMIT_PER_HOUR: '999999',
} as const;

/** The repository root, where `node_modules/.bin/node` (Node 24) lives. */
export const repoRoot = resolve(import.meta.dirname, '..');

/** Children run on the project's Node 24, never on whatever `node` the PATH offers. */
export const projectNode = join(repoRoot, 'node_modules', '.bin', 'node');

export interface NodeChild<T> {
  readonly child: ChildProcess;
  /** The parsed payload of the first stdout line starting with the marker. */
  readonly report: Promise<T>;
  /** Resolves with the exit code once the process is gone. */
  readonly exited: Promise<number | null>;
  /** Everything the child wrote to stderr so far, for error messages. */
  stderr(): string;
}

/**
 * Spawns a bench script on the project's Node and waits for its marker line. Handlers and
 * emulators log freely on stdout, so the report is told apart by its prefix, not by position.
 */
export function spawnNode<T>(
  script: string,
  args: readonly string[],
  marker: string,
  env: NodeJS.ProcessEnv = process.env,
): NodeChild<T> {
  const child = spawn(projectNode, [join(repoRoot, script), ...args], {
    cwd: repoRoot,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString('utf8');
  });
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  const report = new Promise<T>((done, fail) => {
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      if (line.startsWith(marker)) done(JSON.parse(line.slice(marker.length)) as T);
    });
    void exited.then((code) =>
      fail(new Error(`${script} exited with ${code} before reporting:\n${stderr.slice(-2000)}`)),
    );
  });
  return { child, report, exited, stderr: () => stderr };
}

/** Asks a child started with a `stop` command on stdin to stop, and kills it after 20 s if it has not. */
export async function stopChild(node: NodeChild<unknown>): Promise<void> {
  if (node.child.exitCode !== null) return;
  node.child.stdin?.write('stop\n');
  const killed = setTimeout(() => node.child.kill('SIGKILL'), 20_000);
  await node.exited;
  clearTimeout(killed);
}

interface ProcessInfo {
  readonly pid: number;
  readonly ppid: number;
  readonly cmdline: readonly string[];
  readonly rssKB: number;
}

async function processInfo(pid: number): Promise<ProcessInfo | undefined> {
  try {
    const [stat, status, cmdline] = await Promise.all([
      readFile(`/proc/${pid}/stat`, 'utf8'),
      readFile(`/proc/${pid}/status`, 'utf8'),
      readFile(`/proc/${pid}/cmdline`, 'utf8'),
    ]);
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    const rssKB = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1] ?? 0);
    return { pid, ppid, cmdline: cmdline.split('\0').filter(Boolean), rssKB };
  } catch {
    return undefined;
  }
}

/**
 * Every live process descending from `root` (itself included), read from /proc. The local
 * cloud's JVM runs under a `/bin/sh` watchdog in its own process group, but it is still a
 * descendant by parent pid, so the tree is the honest "whole product" footprint.
 */
export async function processTree(root: number): Promise<ProcessInfo[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name)).map(Number);
  const all = (await Promise.all(pids.map(processInfo))).filter((info) => info !== undefined);
  const tree: ProcessInfo[] = [];
  const pending = [root];
  while (pending.length) {
    const pid = pending.pop() as number;
    const info = all.find((p) => p.pid === pid);
    if (info) tree.push(info);
    pending.push(...all.filter((p) => p.ppid === pid).map((p) => p.pid));
  }
  return tree;
}

export interface CloudMemory {
  readonly nodeMB: number;
  readonly jvmMB: number;
  /** The `/bin/sh` watchdog and anything else the node process spawned. */
  readonly otherMB: number;
  readonly totalMB: number;
  readonly jvmFound: boolean;
}

/** Resident memory of the local cloud: its node process, the DynamoDB Local JVM on `dynamodbPort`, the rest. */
export async function cloudMemory(nodePid: number, dynamodbPort: number): Promise<CloudMemory> {
  const tree = await processTree(nodePid);
  const isJvm = (p: ProcessInfo) =>
    p.cmdline.some((arg) => arg.endsWith('DynamoDBLocal.jar')) &&
    p.cmdline.some((arg, i) => arg === '-port' && p.cmdline[i + 1] === String(dynamodbPort)) &&
    !p.cmdline[0]?.endsWith('sh');
  const mb = (kb: number) => kb / 1024;
  const sum = (list: ProcessInfo[]) => list.reduce((total, p) => total + p.rssKB, 0);
  const node = tree.filter((p) => p.pid === nodePid);
  const jvm = tree.filter(isJvm);
  const other = tree.filter((p) => p.pid !== nodePid && !isJvm(p));
  return {
    nodeMB: mb(sum(node)),
    jvmMB: mb(sum(jvm)),
    otherMB: mb(sum(other)),
    totalMB: mb(sum(tree)),
    jvmFound: jvm.length > 0,
  };
}

/** A loopback port free right now (for an emulator that cannot pick its own, like DynamoDB Local). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
