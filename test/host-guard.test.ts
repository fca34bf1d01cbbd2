import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { allowedHosts } from "../src/server/guard.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { startChatServer, type ChatServer } from "./helpers/chat-server.js";

useBedrockEmulator();

// The app answers for its own loopback address (added once the port is known) and these.
const origins = ["http://chat.example.com", "https://secure.example.com", "http://localhost:8080"];
let server: ChatServer;
let port: string;
beforeAll(async () => {
  server = await startChatServer({ origins });
  origins.push(server.url);
  port = new URL(server.url).port;
});
afterAll(async () => server?.close());

/** A request with this exact Host header (fetch cannot set Host): POST /api/threads would create a thread. */
function createThreadWithHost(host: string): Promise<{ status: number; body: any }> {
  return new Promise((resolve, reject) => {
    const body = "{}";
    const req = httpRequest(
      `${server.url}/api/threads`,
      { method: "POST", headers: { host, origin: server.url, "x-requested-with": "fetch", "content-type": "application/json", "content-length": String(body.length) } },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (chunk: string) => (text += chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : undefined }));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

const threadCount = async () => (await server.db.selectFrom("threads").select(({ fn }) => fn.countAll<number>().as("n")).executeTakeFirstOrThrow()).n;

describe("Host header check", () => {
  it("lists each origin's host[:port] and, on the default port, both forms", () => {
    expect([...allowedHosts(["http://Chat.Example.com", "https://secure.example.com:443", "http://localhost:8080", "http://[::1]:8080"])]).toEqual([
      "chat.example.com",
      "chat.example.com:80",
      "secure.example.com",
      "secure.example.com:443",
      "localhost:8080",
      "[::1]:8080",
    ]);
  });

  // PORT stands for the server's port.
  const withPort = (host: string) => host.replaceAll("PORT", port);

  it.each([
    "127.0.0.1:PORT",
    "chat.example.com",
    "chat.example.com:80",
    "CHAT.EXAMPLE.COM",
    "Chat.Example.Com:80",
    "secure.example.com",
    "secure.example.com:443",
    "LOCALHOST:8080",
  ])("accepts Host %j (its own host, in any case)", async (host) => {
    const before = await threadCount();
    const res = await createThreadWithHost(withPort(host));
    expect(res.status).toBe(201);
    expect(await threadCount()).toBe(before + 1);
  });

  it.each([
    "evil.example@127.0.0.1:PORT",
    "user:password@127.0.0.1:PORT",
    "127.0.0.1:PORT/evil",
    "127.0.0.1:PORT?evil",
    "127.0.0.1:PORT#evil",
    "127.0.0.1:PORT\\evil",
    "127.0.0.1:PORT.",
    "127.0.0.1.:PORT",
    "127.0.0.1:0PORT",
    "127.1:PORT",
    "2130706433:PORT",
    "0x7f.0.0.1:PORT",
    "localhost:PORT",
    "127.0.0.1",
    "chat.example.com.",
    "chat.example.com:443",
    "chat.example.com:080",
    "secure.example.com:80",
    "evil.example",
  ])("refuses Host %j with 421 before any handler runs", async (host) => {
    const before = await threadCount();
    const res = await createThreadWithHost(withPort(host));
    expect(res.status).toBe(421);
    expect(res.body.error.code).toBe("wrong_host");
    expect(await threadCount()).toBe(before);
  });
});
