import { createServer as createHttp1Server, type IncomingMessage, type ServerResponse } from "node:http";
import { createSecureServer, createServer as createHttp2Server, type Http2ServerRequest, type Http2ServerResponse } from "node:http2";
import { createServer as createTcpServer, type AddressInfo, type Server, type Socket } from "node:net";
import { Duplex } from "node:stream";
import type { Certificate } from "./certificate.js";

export type RequestListener = (req: IncomingMessage | Http2ServerRequest, res: ServerResponse | Http2ServerResponse) => void;

export interface Listening {
  port: number;
  /** Stops listening and ends every open connection (clients keep HTTP/2 sessions and keep-alive sockets open). */
  close(): Promise<void>;
}

/**
 * Serves HTTP/2 and HTTP/1.1 on one port of 127.0.0.1, as Bedrock does: over TLS with `certificate` (ALPN h2 or
 * http/1.1), otherwise in cleartext (HTTP/2 with prior knowledge, as the SDK's HTTP/2 handler talks to an http://
 * endpoint, or HTTP/1.1). Node 20's cleartext HTTP/2 server has no `allowHTTP1`, so a cleartext connection's first
 * bytes choose: the HTTP/2 connection preface goes to an HTTP/2 server, anything else to an HTTP/1.1 server.
 */
export async function listen(onRequest: RequestListener, options: { port?: number | undefined; certificate?: Certificate | undefined }): Promise<Listening> {
  const server: Server = options.certificate ? createSecureServer({ allowHTTP1: true, ...options.certificate }, onRequest) : cleartextServer(onRequest);
  const sockets = new Set<Socket>();
  server.on("connection", (socket: Socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      }),
  };
}

const PREFACE = Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");

function cleartextServer(onRequest: RequestListener): Server {
  const http2 = createHttp2Server(onRequest);
  const http1 = createHttp1Server({ keepAliveTimeout: 60_000 }, onRequest);
  return createTcpServer((socket) => {
    // As Node's own servers do; through the replaying stream below HTTP/2 could not set it, and Nagle's algorithm
    // with delayed ACKs would hold its small frames (flow-control updates) for 40 ms each.
    socket.setNoDelay(true);
    socket.once("data", (head: Buffer) => {
      socket.pause();
      const n = Math.min(head.length, PREFACE.length);
      if (head.subarray(0, n).equals(PREFACE.subarray(0, n))) {
        // The HTTP/2 session reads the socket's handle directly and would miss bytes already read: replay them.
        http2.emit("connection", new Replayed(socket, head));
      } else {
        socket.unshift(head);
        http1.emit("connection", socket);
        socket.resume();
      }
    });
  });
}

/** A socket's stream with the bytes already read from it put back in front. */
class Replayed extends Duplex {
  constructor(
    private readonly socket: Socket,
    head: Buffer,
  ) {
    super();
    this.push(head);
    socket.on("data", (chunk: Buffer) => {
      if (!this.push(chunk)) socket.pause();
    });
    socket.on("end", () => this.push(null));
    socket.on("error", (error) => this.destroy(error));
    socket.on("close", () => this.destroy());
  }

  override _read(): void {
    this.socket.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.socket.write(chunk, encoding, callback);
  }

  override _final(callback: () => void): void {
    this.socket.end(callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    this.socket.destroy();
    callback(error);
  }
}
