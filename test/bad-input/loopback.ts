import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback server in front of a school system's fake: every request goes through to the fake
 * unchanged, except the one a test breaks, whose answer it rewrites as the broken system would.
 */

export interface Answer {
  status: number;
  contentType: string;
  body: Buffer;
}

/** Rewrites the fake's answer to a path, or returns null to pass it on as it is. */
export type Breakage = (path: string, answer: Answer) => Answer | null;

export interface BrokenSystem {
  /** The fake's base URL with this server's origin: `http://127.0.0.1:port/v1.0/`. */
  url: string;
  break(breakage: Breakage | null): void;
  close(): Promise<void>;
}

export async function inFrontOf(fakeUrl: string): Promise<BrokenSystem> {
  const target = new URL(fakeUrl);
  let breakage: Breakage | null = null;
  const server: Server = createServer((incoming, outgoing) => {
    const forward = request(
      {
        host: target.hostname,
        port: target.port,
        path: incoming.url,
        method: incoming.method,
        headers: { ...incoming.headers, host: target.host },
      },
      async (answer) => {
        const chunks: Buffer[] = [];
        for await (const chunk of answer) chunks.push(chunk as Buffer);
        const passed: Answer = {
          status: answer.statusCode ?? 502,
          contentType: String(answer.headers['content-type'] ?? 'application/json'),
          body: Buffer.concat(chunks),
        };
        const sent = breakage?.(incoming.url ?? '/', passed) ?? passed;
        outgoing.writeHead(sent.status, {
          'content-type': sent.contentType,
          'content-length': sent.body.length,
        });
        outgoing.end(sent.body);
      },
    );
    forward.on('error', () => outgoing.destroy());
    incoming.pipe(forward);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = new URL(fakeUrl);
  url.host = `127.0.0.1:${port}`;
  return {
    url: url.toString(),
    break: (next) => {
      breakage = next;
    },
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Where `rewriteJson` puts an object nested thousands deep, which JSON.stringify cannot write. */
export const DEEP = '__nested_thousands_deep__';
const NESTED = `${'{"data":'.repeat(5000)}null${'}'.repeat(5000)}`;

/** A JSON answer rewritten by `change`, which gets the parsed body. */
export function rewriteJson(answer: Answer, change: (body: Record<string, unknown>) => unknown) {
  const body = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
  const text = JSON.stringify(change(body)).replaceAll(`"${DEEP}"`, NESTED);
  return { ...answer, body: Buffer.from(text, 'utf8') };
}
