import { createConnection, createServer, type Socket } from "node:net";
import type { AddressInfo } from "node:net";

/**
 * A loopback TCP proxy that holds every chunk for `delayMs` in each direction, so one request/response
 * exchange costs one added round trip of 2 × delayMs. It relays bytes only, so TLS and HTTP/2 pass through
 * untouched; it counts the connections it accepted (how many handshakes a client paid for).
 */
export interface DelayProxy {
  /** 127.0.0.1 port to connect to instead of the target's. */
  port: number;
  /** Connections accepted since start (or since resetCount). */
  readonly connections: number;
  resetCount(): void;
  close(): Promise<void>;
}

export async function startDelayProxy(target: { host?: string; port: number }, delayMs: number): Promise<DelayProxy> {
  let connections = 0;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    connections++;
    const upstream = createConnection({ host: target.host ?? "127.0.0.1", port: target.port });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
    relay(client, upstream, delayMs);
    relay(upstream, client, delayMs);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() {
      return connections;
    },
    resetCount: () => void (connections = 0),
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Copies from → to, each chunk delivered delayMs after it arrived, in order; the end follows the last chunk. */
function relay(from: Socket, to: Socket, delayMs: number): void {
  from.on("data", (chunk: Buffer) => {
    setTimeout(() => {
      if (!to.destroyed) to.write(chunk);
    }, delayMs);
  });
  from.on("end", () => setTimeout(() => to.end(), delayMs));
}
