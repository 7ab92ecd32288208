import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

/**
 * Checks the local cloud makes before it starts anything, so a missing Java, an old Java or
 * a busy port is one clear sentence instead of a stack trace.
 */
export class PreflightError extends Error {
  override readonly name = 'PreflightError';
}

export const MIN_JAVA_MAJOR = 17;

/** Parses the major version out of `java -version` output (`"17.0.15"`, `"1.8.0_392"`). */
export function javaMajorVersion(versionOutput: string): number | undefined {
  const match = /version "(\d+)(?:\.(\d+))?/.exec(versionOutput);
  if (!match) return undefined;
  const first = Number(match[1]);
  return first === 1 ? Number(match[2]) : first;
}

export async function checkJava(javaCommand = 'java'): Promise<number> {
  let output: string;
  try {
    const { stdout, stderr } = await promisify(execFile)(javaCommand, ['-version'], { timeout: 15_000 });
    output = `${stderr}${stdout}`;
  } catch {
    throw new PreflightError(
      `Java ${MIN_JAVA_MAJOR} or newer is needed for DynamoDB Local, but "${javaCommand}" could not be run: install a JDK or JRE ${MIN_JAVA_MAJOR}+ (for example: apt-get install openjdk-17-jre-headless) and make sure "java" is on the PATH.`,
    );
  }
  const major = javaMajorVersion(output);
  if (major === undefined || major < MIN_JAVA_MAJOR) {
    throw new PreflightError(
      `Java ${MIN_JAVA_MAJOR} or newer is needed for DynamoDB Local, but "${javaCommand}" is version ${major ?? 'unknown'}: install Java ${MIN_JAVA_MAJOR}+ and put it first on the PATH.`,
    );
  }
  return major;
}

/** A port held open until the server that wants it is about to listen. */
export interface HeldPort {
  readonly port: number;
  /** Frees the port; call right before the real server listens on it. */
  release(): Promise<void>;
}

/**
 * Holds a port (a fresh one when `port` is 0) or fails naming who wanted it. Holding it until
 * the real server starts keeps another process from taking a fresh port in between.
 */
export function holdPort(port: number, purpose: string, host = '127.0.0.1'): Promise<HeldPort> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        new PreflightError(
          error.code === 'EADDRINUSE'
            ? `Port ${port} (${purpose}) is already in use: stop whatever holds it (is Spoke already running?) or choose another port with SPOKE_PORT_BASE.`
            : `Port ${port} (${purpose}) cannot be opened: ${error.message}.`,
        ),
      );
    });
    probe.listen(port, host, () => {
      const address = probe.address();
      const chosen = typeof address === 'object' && address ? address.port : port;
      let released: Promise<void> | undefined;
      resolve({
        port: chosen,
        release: () => {
          released ??= new Promise<void>((done) => probe.close(() => done()));
          return released;
        },
      });
    });
  });
}

/** Resolves with the port that is free (a fresh one when `port` is 0), or fails naming who wanted it. */
export async function claimPort(port: number, purpose: string, host = '127.0.0.1'): Promise<number> {
  const held = await holdPort(port, purpose, host);
  await held.release();
  return held.port;
}
