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

/** Resolves with the port that is free (a fresh one when `port` is 0), or fails naming who wanted it. */
export function claimPort(port: number, purpose: string, host = '127.0.0.1'): Promise<number> {
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
      probe.close(() => resolve(chosen));
    });
  });
}
