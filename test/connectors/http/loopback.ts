import {
  createServer as createHttpServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';

/** A request the loopback server received, in arrival order. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Date.now() on arrival. */
  at: number;
}

export type Handler = (req: IncomingMessage, res: ServerResponse, seen: SeenRequest) => void;

export interface Loopback {
  /** The origin, without a trailing slash: `http://127.0.0.1:54321`. */
  url: string;
  requests: SeenRequest[];
  close(): Promise<void>;
}

export interface LoopbackOptions {
  /** Serve HTTPS with this key and certificate. */
  tls?: { key: Buffer; cert: Buffer };
}

/** Starts a real server on 127.0.0.1 and a free port; the handler sees each request's body. */
export async function startLoopback(
  handler: Handler,
  options: LoopbackOptions = {},
): Promise<Loopback> {
  const requests: SeenRequest[] = [];
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const at = Date.now();
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString(),
        at,
      };
      requests.push(seen);
      handler(req, res, seen);
    });
  };
  const server: Server = options.tls
    ? createHttpsServer(options.tls, listener)
    : createHttpServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

  const { port } = server.address() as AddressInfo;
  const scheme = options.tls ? 'https' : 'http';
  return { url: `${scheme}://127.0.0.1:${port}`, requests, close: () => stop(server) };
}

/** The address of a port that was free a moment ago and has nothing listening on it. */
export async function refusedUrl(): Promise<string> {
  const loopback = await startLoopback(() => {});
  await loopback.close();
  return loopback.url;
}

// Hanging handlers never answer, so open sockets are cut rather than waited for.
function stop(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise((resolve, reject) =>
    server.close((error) => (error ? reject(error) : resolve())),
  );
}
