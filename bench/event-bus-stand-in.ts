import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * EventBridge has no emulator here: a bundle publishing domain events gets a loopback endpoint
 * that accepts every PutEvents, as the bus would.
 */
export async function startEventBusStandIn(): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entries =
        (JSON.parse(Buffer.concat(chunks).toString() || '{}') as { Entries?: unknown[] }).Entries ?? [];
      res.writeHead(200, { 'content-type': 'application/x-amz-json-1.1' });
      res.end(
        JSON.stringify({ FailedEntryCount: 0, Entries: entries.map((_, i) => ({ EventId: `bench-${i}` })) }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
