/**
 * The floor for bench:sse-load: the least a server can do for the same API shape on the same machine. It is
 * plain node:http (no framework, no storage, no sign-in, no validation): POST a message answers 202 at once and
 * starts an AWS SDK ConverseStream; GET the events replays what arrived and streams the rest as server-sent events;
 * POST stop aborts the SDK call (the steady-state probe stops its answers after the first token).
 * What it adds over a bare SDK loop is the cost of the architecture itself (two HTTP requests and a relay hop per
 * answer, on cores shared with the client and the emulator), not of the app. Not a server to use: a measurement.
 * Run by bench/sse-load.ts: `tsx bench/sse-floor-server.ts PORT` with the emulator's AWS_* variables set.
 */
import { ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import { randomUUID } from "node:crypto";
import { createServer, type ServerResponse } from "node:http";
import { BedrockClients } from "../src/providers/bedrock/client.js";

const MODEL_ID = "us.amazon.nova-pro-v1:0";
// The same connections to Bedrock as the app (its keep-alive pool): the floor differs from the app only by the server.
const sdk = new BedrockClients().forRegion("us-west-2");

interface Generation {
  frames: string[];
  done: boolean;
  listeners: Set<ServerResponse>;
  abort: AbortController;
}
const generations = new Map<string, Generation>();

function publish(generation: Generation, frame: string, done = false): void {
  generation.frames.push(frame);
  generation.done ||= done;
  for (const res of generation.listeners) {
    res.write(frame);
    if (done) res.end();
  }
}

async function run(generation: Generation): Promise<void> {
  let seq = 0;
  const frame = (type: string, data: object) => `id: ${++seq}\nevent: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
  try {
    const response = await sdk.send(new ConverseStreamCommand({ modelId: MODEL_ID, messages: [{ role: "user", content: [{ text: "load test" }] }], inferenceConfig: { maxTokens: 2560, temperature: 1 } }), { abortSignal: generation.abort.signal });
    for await (const event of response.stream!) {
      const text = event.contentBlockDelta?.delta?.text;
      if (text) publish(generation, frame("text", { type: "text", delta: text }));
    }
    publish(generation, frame("done", { type: "done", status: "complete" }), true);
  } catch (error) {
    publish(generation, frame("done", { type: "done", status: "error", message: (error as Error).message }), true);
  }
}

const server = createServer((req, res) => {
  const url = req.url ?? "";
  if (req.method === "POST" && url.startsWith("/api/threads/")) {
    req.resume();
    req.on("end", () => {
      const id = randomUUID();
      const generation: Generation = { frames: [], done: false, listeners: new Set(), abort: new AbortController() };
      generations.set(id, generation);
      void run(generation);
      res.writeHead(202, { "content-type": "application/json" }).end(JSON.stringify({ generationId: id }));
    });
    return;
  }
  const stop = /^\/api\/generations\/([^/]+)\/stop$/.exec(url);
  if (req.method === "POST" && stop) {
    req.resume();
    generations.get(stop[1]!)?.abort.abort();
    res.writeHead(202, { "content-type": "application/json" }).end('{"status":"stopping"}');
    return;
  }
  const events = /^\/api\/generations\/([^/]+)\/events$/.exec(url);
  const generation = events && generations.get(events[1]!);
  if (req.method === "GET" && generation) {
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    res.write(generation.frames.join(""));
    if (generation.done) {
      res.end();
      generations.delete(events[1]!);
      return;
    }
    generation.listeners.add(res);
    res.on("close", () => generation.listeners.delete(res));
    return;
  }
  res.writeHead(url === "/healthz" ? 200 : 404).end();
});
server.listen({ port: Number(process.argv[2]), host: "127.0.0.1", backlog: 4096 });
process.on("SIGTERM", () => {
  sdk.destroy();
  server.close();
  server.closeAllConnections();
});
