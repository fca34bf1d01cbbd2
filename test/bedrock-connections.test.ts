import { ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import { NodeHttp2Handler } from "@smithy/node-http-handler";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startDelayProxy, type DelayProxy } from "../bench/delay-proxy.js";
import { ChatError } from "../src/engine/errors.js";
import type { ProviderEvent } from "../src/engine/provider.js";
import { BedrockClients } from "../src/providers/bedrock/client.js";
import { DEFAULT_MAX_SOCKETS, maxSocketsFromEnv } from "../src/providers/bedrock/connections.js";
import { BedrockProvider } from "../src/providers/bedrock/provider.js";
import { startBedrockEmulator, type BedrockEmulator, type RecordedRequest } from "./emulator/server.js";
import { emulatorEnv } from "./helpers/emulator-env.js";

// The real AWS SDK against the emulator, through a loopback proxy that adds no delay and counts the TCP connections
// the client opens. "ours" is what the server and the CLI use (BedrockClients' keep-alive HTTP/1.1 pool); "SDK
// default" is the runtime client's own handler (HTTP/2, an isolated session per event stream), configured as the
// SDK configures it, only told to trust the emulator's certificate.

const MODEL_ID = "us.amazon.nova-pro-v1:0";
const REGION = "us-west-2";

type Handler = "ours" | "SDK default";
const protocolOf = (handler: Handler) => (handler === "ours" ? "HTTP/1.1" : "HTTP/2");
/** The emulator's record of a request says which protocol carried it: HTTP/2 requests have pseudo-headers. */
const protocolSeen = (request: RecordedRequest) => (request.headers[":method"] ? "HTTP/2" : "HTTP/1.1");

function clientsFor(handler: Handler, emulator: BedrockEmulator, maxSockets?: number): BedrockClients {
  const ca = emulator.ca;
  if (handler === "ours") return new BedrockClients({}, { ...(ca ? { ca } : {}), ...(maxSockets ? { maxSockets } : {}) });
  return new BedrockClients({ requestHandler: new NodeHttp2Handler({ disableConcurrentStreams: true, ...(ca ? { nodeHttp2ConnectOptions: { ca } } : {}) }) });
}

async function answer(provider: BedrockProvider, text: string, signal?: AbortSignal, onEvent?: (event: ProviderEvent) => void) {
  const events: ProviderEvent[] = [];
  try {
    const request = { modelId: MODEL_ID, region: REGION, messages: [{ role: "user" as const, parts: [{ type: "text" as const, text }] }], inference: { maxTokens: 200 }, stream: true, ...(signal ? { signal } : {}) };
    for await (const event of provider.converse(request)) {
      events.push(event);
      onEvent?.(event);
    }
    return { events, text: textOf(events) };
  } catch (error) {
    return { events, text: textOf(events), error: error as ChatError };
  }
}
const textOf = (events: ProviderEvent[]) => events.map((e) => (e.type === "text" ? e.delta : "")).join("");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const tls of [false, true]) {
  describe(`over ${tls ? "TLS" : "cleartext"}`, () => {
    let emulator: BedrockEmulator;
    let proxy: DelayProxy;
    const open: BedrockClients[] = [];
    const providerFor = (handler: Handler, maxSockets?: number) => {
      const clients = clientsFor(handler, emulator, maxSockets);
      open.push(clients);
      return new BedrockProvider(clients);
    };

    beforeAll(async () => {
      emulator = await startBedrockEmulator({ tls });
      proxy = await startDelayProxy({ port: Number(new URL(emulator.url).port) }, 0);
      Object.assign(process.env, emulatorEnv(`${tls ? "https" : "http"}://127.0.0.1:${proxy.port}`));
    });
    beforeEach(() => {
      emulator.reset();
      proxy.resetCount();
    });
    afterEach(() => {
      for (const clients of open.splice(0)) clients.destroy();
      process.env["AWS_MAX_ATTEMPTS"] = "1";
    });
    afterAll(async () => {
      await proxy?.close();
      await emulator?.close();
    });

    for (const handler of ["ours", "SDK default"] as const) {
      describe(`${handler} handler (${protocolOf(handler)})`, () => {
        it("streams answers, the text in order, over the handler's protocol", async () => {
          const provider = providerFor(handler);
          emulator.enqueue({ blocks: [{ text: "one two three four" }], deltas: 4 });
          const first = await answer(provider, "q1");
          const second = await answer(provider, "echo me");
          expect(first.error).toBeUndefined();
          expect(first.text).toBe("one two three four");
          expect(first.events.map((e) => e.type)).toEqual(["text", "text", "text", "text", "stop", "usage"]);
          expect(second.text).toBe("Echo: echo me");
          expect(emulator.requests.map(protocolSeen)).toEqual([protocolOf(handler), protocolOf(handler)]);
          expect(emulator.requests.map((r) => r.completed)).toEqual([true, true]);
        });

        it(handler === "ours" ? "answers after the first open no new connection" : "opens a new connection for every answer (what ours fixes)", async () => {
          const provider = providerFor(handler);
          for (let i = 0; i < 4; i++) expect((await answer(provider, `q${i}`)).text).toBe(`Echo: q${i}`);
          expect(proxy.connections).toBe(handler === "ours" ? 1 : 4);
        });

        it("a throttled request is retried by the SDK (AWS_MAX_ATTEMPTS) and then answers", async () => {
          process.env["AWS_MAX_ATTEMPTS"] = "3";
          const provider = providerFor(handler);
          emulator.enqueue({ error: { type: "ThrottlingException", status: 429, message: "Too many requests, please wait before trying again." } });
          const { text, error } = await answer(provider, "q");
          expect(error).toBeUndefined();
          expect(text).toBe("Echo: q");
          expect(emulator.requests.map((r) => r.status)).toEqual([429, 200]);
          expect(emulator.requests.map((r) => r.headers["amz-sdk-request"])).toEqual(["attempt=1; max=3", "attempt=2; max=3"]);
          // Ours retries on the connection the throttled answer came back on.
          expect(proxy.connections).toBe(handler === "ours" ? 1 : 2);
        });

        it("an abort mid-stream ends the request at Bedrock, and the next answer still works", async () => {
          const provider = providerFor(handler);
          const controller = new AbortController();
          emulator.enqueue({ blocks: [{ text: "one two three four five six seven eight" }], deltas: 8, delayMs: 40 });
          let texts = 0;
          const stopped = await answer(provider, "count", controller.signal, (e) => {
            if (e.type === "text" && ++texts === 2) controller.abort();
          });
          // (HTTP/2 ends the stream quietly, HTTP/1.1 with an abort error; the engine ignores either once it aborted.)
          expect(stopped.text).toBe("one two th");
          // The whole answer would have taken 8 × 40 ms more: the emulator saw the client go and stopped sending.
          await sleep(500);
          expect(emulator.requests[0]!.completed).toBe(false);
          expect((await answer(provider, "after")).text).toBe("Echo: after");
          expect(emulator.requests[1]!.completed).toBe(true);
        });

        it("a reader that stops early gives its connection back (a pool of one socket is not stuck)", async () => {
          const provider = providerFor(handler, 1);
          emulator.enqueue({ blocks: [{ text: "one two three four five six seven eight" }], deltas: 8, delayMs: 40 });
          const request = { modelId: MODEL_ID, region: REGION, messages: [{ role: "user" as const, parts: [{ type: "text" as const, text: "q" }] }], inference: { maxTokens: 200 }, stream: true };
          for await (const event of provider.converse(request)) if (event.type === "text") break;
          const next = await Promise.race([answer(provider, "next"), sleep(5000).then(() => ({ text: "timed out" }))]);
          expect(next.text).toBe("Echo: next");
        });
      });
    }

    it("errors map to the same ChatErrors on both handlers", async () => {
      const scenarios: [string, () => void][] = [
        ["throttled", () => emulator.enqueue({ error: { type: "ThrottlingException", status: 429, message: "Too many requests, please wait before trying again." } })],
        ["unavailable", () => emulator.enqueue({ error: { type: "ServiceUnavailableException", status: 503, message: "The service isn't currently available. Try again later." } })],
        ["access denied", () => emulator.deny("amazon.nova-pro-v1:0")],
        ["in-stream exception", () => emulator.enqueue({ blocks: [{ text: "a b c d" }], deltas: 4, streamException: { afterDeltas: 2, type: "modelStreamErrorException", message: "The model stream failed." } })],
      ];
      const outcomes: Record<Handler, unknown[]> = { ours: [], "SDK default": [] };
      for (const handler of ["ours", "SDK default"] as const) {
        const provider = providerFor(handler);
        for (const [, arrange] of scenarios) {
          emulator.reset();
          arrange();
          const { error, text } = await answer(provider, "q");
          expect(error).toBeInstanceOf(ChatError);
          outcomes[handler].push({ code: error!.code, message: error!.message, retryable: error!.retryable, text });
        }
      }
      expect(outcomes.ours).toEqual(outcomes["SDK default"]);
      expect(outcomes.ours.map((o) => (o as { code: string }).code)).toEqual(["throttled", "unavailable", "access_denied", "model_error"]);
    });
  });
}

describe("concurrent answers (ours, cleartext)", () => {
  let emulator: BedrockEmulator;
  let proxy: DelayProxy;
  const N = 60;

  beforeAll(async () => {
    emulator = await startBedrockEmulator();
    proxy = await startDelayProxy({ port: Number(new URL(emulator.url).port) }, 0);
    Object.assign(process.env, emulatorEnv(`http://127.0.0.1:${proxy.port}`));
  });
  beforeEach(() => {
    emulator.reset();
    proxy.resetCount();
  });
  afterAll(async () => {
    await proxy?.close();
    await emulator?.close();
  });

  /** N streams at once, each about 1.5 s long; how many had reached Bedrock when the first one ended. */
  async function burst(clients: BedrockClients): Promise<{ arrivedBeforeFirstEnd: number; answers: string[] }> {
    const client = clients.forRegion(REGION);
    let arrivedBeforeFirstEnd = -1;
    const one = async (i: number) => {
      const response = await client.send(new ConverseStreamCommand({ modelId: MODEL_ID, messages: [{ role: "user", content: [{ text: `q${i}` }] }] }));
      let text = "";
      for await (const event of response.stream!) text += event.contentBlockDelta?.delta?.text ?? "";
      if (arrivedBeforeFirstEnd < 0) arrivedBeforeFirstEnd = emulator.requests.length;
      return text;
    };
    emulator.enqueue(...Array.from({ length: N }, () => ({ blocks: [{ text: "a b" }], deltas: 2, delayMs: 300 })));
    const answers = await Promise.all(Array.from({ length: N }, (_, i) => one(i)));
    return { arrivedBeforeFirstEnd, answers };
  }

  it(`${N} concurrent streams all run at once (the default pool is ${DEFAULT_MAX_SOCKETS} sockets, not the SDK's 50)`, async () => {
    const clients = new BedrockClients();
    try {
      const { arrivedBeforeFirstEnd, answers } = await burst(clients);
      expect(answers).toEqual(Array.from({ length: N }, () => "a b"));
      expect(arrivedBeforeFirstEnd).toBe(N);
      expect(proxy.connections).toBe(N);
    } finally {
      clients.destroy();
    }
  });

  it("with a pool of 50 sockets the 51st concurrent answer waits for a free one (the limit is real)", async () => {
    const clients = new BedrockClients({}, { maxSockets: 50 });
    try {
      const { arrivedBeforeFirstEnd, answers } = await burst(clients);
      expect(answers).toHaveLength(N);
      expect(arrivedBeforeFirstEnd).toBe(50);
      expect(proxy.connections).toBe(50);
    } finally {
      clients.destroy();
    }
  });
});

describe("BEDROCK_MAX_SOCKETS", () => {
  it("defaults to 1,000 sockets per region and takes a positive whole number", () => {
    expect(maxSocketsFromEnv({})).toBe(1000);
    expect(maxSocketsFromEnv({ BEDROCK_MAX_SOCKETS: " 2500 " })).toBe(2500);
  });

  it("refuses anything else, naming the variable", () => {
    for (const value of ["0", "-3", "1.5", "many"]) expect(() => maxSocketsFromEnv({ BEDROCK_MAX_SOCKETS: value })).toThrow(/BEDROCK_MAX_SOCKETS must be a whole number of at least 1/);
  });

  it("is read when the clients are made, so a wrong value stops the server or the CLI at start", () => {
    process.env["BEDROCK_MAX_SOCKETS"] = "none";
    try {
      expect(() => new BedrockClients()).toThrow(/BEDROCK_MAX_SOCKETS/);
    } finally {
      delete process.env["BEDROCK_MAX_SOCKETS"];
    }
  });
});
