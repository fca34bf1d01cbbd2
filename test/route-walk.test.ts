import { request as httpRequest } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RouteEntry } from "../src/server/route-table.js";
import { createSession } from "../src/store/sessions.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { readEvents, sessionCookie, signIn, startChatServer, textOf, waitFor, type ChatServer } from "./helpers/chat-server.js";
import { databases } from "./helpers/databases.js";

const env = useBedrockEmulator();

/**
 * Walks every route the app registers (its route table, filled by an onRoute hook, so a new route is walked without
 * editing this file) as an attacker would: with no session, with another user's session against the owner's ids,
 * with percent-encoded paths, with a NUL in every path id and string field, with a huge body and with a foreign
 * Origin. No answer is ever a 5xx, and nobody but Alice ever gets Alice's data (issue 8).
 */

const ALICE = { email: "alice@example.com", password: "alice's long passphrase" };
const BOB = { email: "bob@example.com", password: "bob's long passphrase" };
/** A user Alice administers: the target of her own admin-route requests, so the walk never revokes or resets her. */
const CAROL = { email: "carol@example.com", password: "carol's long passphrase" };
const EVIL_ORIGIN = "https://evil.example";
/** Also foreign: a sandboxed frame or a file (`null`), another app on the same host. */
const OTHER_ORIGINS = ["null", "http://127.0.0.1:1"];
const HUGE = 20 * 1024 * 1024;
/** Just over the 8 KiB that routes callable before sign-in take. */
const OVER_PUBLIC_LIMIT = 16 * 1024;
/** Routes the walk must include, whatever else the app registers: an empty or partial table cannot pass silently. */
const KNOWN = [
  "GET /healthz",
  "GET /api/session",
  "GET /api/profiles",
  "POST /auth/login",
  "POST /auth/setup",
  "POST /auth/logout",
  "POST /auth/logout-everywhere",
  "POST /api/account/password",
  "GET /api/admin/users",
  "POST /api/admin/users",
  "PATCH /api/admin/users/:id",
  "POST /api/admin/users/:id/revoke-sessions",
  "POST /api/admin/users/:id/password",
  "GET /api/admin/usage",
  "GET /api/admin/audit",
  "GET /api/threads",
  "POST /api/threads",
  "GET /api/threads/:id",
  "PATCH /api/threads/:id",
  "DELETE /api/threads/:id",
  "PUT /api/threads/:id/active",
  // threads (issue 12)
  "PUT /api/threads/:id/pin",
  "PUT /api/threads/:id/archive",
  "GET /api/threads/:id/export",
  "GET /api/threads/:id/messages",
  "POST /api/threads/:id/messages",
  "POST /api/messages/:id/regenerate",
  "GET /api/generations/:id/events",
  "POST /api/generations/:id/stop",
  "POST /api/generations/:id/tool-approvals",
  "GET /api/mcp/tool-permissions",
  "PUT /api/mcp/servers/:id/tool-permissions",
  "GET /api/mcp/catalog",
  "POST /api/mcp/servers/listed",
  "POST /api/mcp/servers/programs",
  "POST /api/mcp/servers/:id/oauth/start",
  "DELETE /api/mcp/servers/:id/oauth",
  "GET /api/mcp/oauth/callback",
];

/** What the README promises, decided here independently of route-policy.ts: all of /api/ needs a session except these. */
const needsSession = (url: string) => url.startsWith("/api/") && url !== "/api/session" && url !== "/api/docs" && !url.startsWith("/api/docs/");
const adminOnly = (url: string) => url.startsWith("/api/admin/");
const changesState = (method: string) => !["GET", "HEAD", "OPTIONS"].includes(method);

// ---------------------------------------------------------------------------------------------------------------
// Sample values from a route's zod schemas: every field filled (optional ones too), each leaf the first candidate
// its own schema accepts, so a new field or route gets a valid body without editing this file.

interface ZodLike {
  _zod: { def: { type: string; [key: string]: unknown } };
  safeParse(value: unknown): { success: boolean };
}
const WRAPPERS = new Set(["optional", "nullable", "default", "prefault", "readonly", "catch", "nonoptional"]);

/** The schema whose input a value must match: wrappers and pipes unwrapped (a pipe's input side). */
function inputBase(schema: ZodLike): ZodLike {
  let current = schema;
  for (let depth = 0; depth < 50; depth++) {
    const def = current._zod.def;
    if (WRAPPERS.has(def.type)) current = def["innerType"] as ZodLike;
    else if (def.type === "pipe") current = def["in"] as ZodLike;
    else return current;
  }
  throw new Error("schema nested too deep");
}

interface Sample {
  value: unknown;
  /** Paths of the string leaves (where the NUL variant puts a NUL). */
  strings: string[][];
  problems: string[];
}

function sampleSchema(schema: ZodLike, candidatesFor: (field: string) => unknown[]): Sample {
  const out: Sample = { value: undefined, strings: [], problems: [] };
  const pick = (leaf: ZodLike, candidates: unknown[], path: string[]) => {
    const found = candidates.find((c) => leaf.safeParse(c).success);
    if (found === undefined) out.problems.push(`no sample value fits ${path.join(".") || "(root)"} (tried ${JSON.stringify(candidates)})`);
    return found;
  };
  const walk = (leaf: ZodLike, path: string[]): unknown => {
    const base = inputBase(leaf);
    const def = base._zod.def;
    const field = path.at(-1) ?? "";
    switch (def.type) {
      case "object": {
        const value: Record<string, unknown> = {};
        for (const [key, child] of Object.entries(def["shape"] as Record<string, ZodLike>)) {
          const strings = out.strings.length;
          const sampled = walk(child, [...path, key]);
          // Optional fields are sent when they hold a string; other optional values (numbers with ranges only
          // the engine knows, flags, roles) are left to their defaults, so the request gets past validation.
          const optional = child.safeParse(undefined).success;
          if (sampled !== undefined && (!optional || out.strings.length > strings)) value[key] = sampled;
        }
        return value;
      }
      case "string": {
        const value = pick(leaf, candidatesFor(field), path);
        if (value !== undefined) out.strings.push(path);
        return value;
      }
      case "number":
      case "int":
      case "bigint":
        return pick(leaf, [1, 1024, 0, 0.5], path);
      case "boolean":
        return pick(leaf, [false, true], path);
      case "enum":
        return pick(leaf, Object.values(def["entries"] as Record<string, unknown>), path);
      case "literal":
        return pick(leaf, def["values"] as unknown[], path);
      case "array":
        return [walk(def["element"] as ZodLike, [...path, "0"])];
      case "record": {
        // One entry (an HTTP header, say): a key its key schema takes, and a sampled value.
        const key = ["X-Walker", "walker"].find((k) => (def["keyType"] as ZodLike).safeParse(k).success) ?? "walker";
        return { [key]: walk(def["valueType"] as ZodLike, [...path, key]) };
      }
      case "union":
        for (const option of def["options"] as ZodLike[]) {
          const before = out.problems.length;
          const value = walk(option, path);
          if (out.problems.length === before && leaf.safeParse(value).success) return value;
          out.problems.length = before;
        }
        out.problems.push(`no option of the union at ${path.join(".")} could be sampled`);
        return undefined;
      default:
        out.problems.push(`cannot sample a ${def.type} at ${path.join(".") || "(root)"}`);
        return undefined;
    }
  };
  out.value = walk(schema, []);
  if (!out.problems.length && !schema.safeParse(out.value).success) out.problems.push(`the sample ${JSON.stringify(out.value)} does not pass its own schema`);
  return out;
}

function withNulAt(value: unknown, path: string[]): unknown {
  if (path.length === 0) {
    const text = String(value);
    const middle = Math.floor(text.length / 2);
    return `${text.slice(0, middle)}\u0000${text.slice(middle)}`;
  }
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (String(i) === head ? withNulAt(v, rest) : v));
  const record = value as Record<string, unknown>;
  return { ...record, [head!]: withNulAt(record[head!], rest) };
}

function queryString(value: unknown): string {
  const params = new URLSearchParams();
  for (const [key, v] of Object.entries((value ?? {}) as Record<string, unknown>)) params.set(key, String(v));
  const text = params.toString();
  return text ? `?${text}` : "";
}

// ---------------------------------------------------------------------------------------------------------------
// Paths: each `:id` filled with an id of the kind its collection holds; encoded variants of a concrete path.

type IdKind = "thread" | "answer" | "generation" | "user" | "attachment" | "mcpServer";
/** The collection a path id belongs to (the segment before it) and the kind of id it takes. */
const ID_KINDS: Record<string, IdKind> = { threads: "thread", messages: "answer", generations: "generation", users: "user", attachments: "attachment", servers: "mcpServer" };

interface Segment {
  text: string;
  id: boolean;
}

function segmentsOf(route: RouteEntry, idOf: (kind: IdKind) => string): Segment[] | string {
  const parts = route.url.split("/").slice(1);
  const segments: Segment[] = [];
  for (const [i, part] of parts.entries()) {
    if (!part.startsWith(":")) {
      segments.push({ text: part, id: false });
      continue;
    }
    const kind = part === ":id" ? ID_KINDS[parts[i - 1] ?? ""] : undefined;
    if (!kind) return `no id of the right kind for ${part} in ${route.url}: add its collection to ID_KINDS`;
    segments.push({ text: idOf(kind), id: true });
  }
  return segments;
}

const joinPath = (segments: Segment[]) => `/${segments.map((s) => s.text).join("/")}`;
const hex = (char: string, upper: boolean) => {
  const code = char.charCodeAt(0).toString(16).padStart(2, "0");
  return `%${upper ? code.toUpperCase() : code.toLowerCase()}`;
};
const encodeLetters = (text: string, upper: boolean) => text.replace(/[a-z]/gi, (c) => hex(c, upper));

interface Encoded {
  name: string;
  path: string;
  /** The router decodes it to the same route; otherwise it matches none (404), or is no URL at all (400). */
  sameRoute: boolean;
  /** What a path that is not the route's answers. */
  otherwise: number[];
}

/** Percent-encoded spellings of a path: letters (lower and upper hex, in the path and in ids), a slash, a percent. */
function encodings(segments: Segment[]): Encoded[] {
  const [first, ...rest] = segments;
  const tail = rest.length ? `/${rest.map((s) => s.text).join("/")}` : "";
  const firstLetter = first!.text.search(/[a-z]/i);
  const lastLetter = first!.text.length - 1 - [...first!.text].reverse().findIndex((c) => /[a-z]/i.test(c));
  const at = (index: number, upper: boolean) => first!.text.slice(0, index) + hex(first!.text[index]!, upper) + first!.text.slice(index + 1);
  return [
    { name: "first letter", path: `/${at(firstLetter, false)}${tail}`, sameRoute: true, otherwise: [] },
    { name: "last letter of the first segment", path: `/${at(lastLetter, false)}${tail}`, sameRoute: true, otherwise: [] },
    { name: "letters of the static segments, upper-case hex", path: joinPath(segments.map((s) => (s.id ? s : { ...s, text: encodeLetters(s.text, true) }))), sameRoute: true, otherwise: [] },
    { name: "every letter, ids too, lower-case hex", path: joinPath(segments.map((s) => ({ ...s, text: encodeLetters(s.text, false) }))), sameRoute: true, otherwise: [] },
    { name: "encoded slash", path: rest.length ? `/${first!.text}%2F${rest.map((s) => s.text).join("/")}` : `/%2F${first!.text}`, sameRoute: false, otherwise: [404] },
    { name: "encoded percent (double encoding)", path: `/${first!.text.slice(0, firstLetter)}%25${hex(first!.text[firstLetter]!, false).slice(1)}${first!.text.slice(firstLetter + 1)}${tail}`, sameRoute: false, otherwise: [404] },
    { name: "malformed percent-encoding", path: `/${first!.text.slice(0, firstLetter)}%${first!.text.slice(firstLetter)}${tail}`, sameRoute: false, otherwise: [400] },
  ];
}

// ---------------------------------------------------------------------------------------------------------------

interface Actor {
  name: string;
  id: string;
  cookie: string;
}

interface Answer {
  status: number;
  text: string;
}

interface Walked {
  route: RouteEntry;
  key: string;
  /** Segments with the owner's ids (Alice's), and with the ids Alice's own requests target (Carol for users). */
  intruderPath: Segment[];
  ownerPath: Segment[];
  hasId: boolean;
  body: Sample | undefined;
  query: Sample | undefined;
}

describe.each(databases)("route walk on $name", (kind) => {
  if (!kind.available) {
    it.skip("PostgreSQL is not installed here (apt-get install postgresql)", () => undefined);
    return;
  }
  let server: ChatServer;
  let alice: Actor;
  let bob: Actor;
  const ids = { alice: "", carol: "", thread: "", message: "", answer: "", generation: "", attachment: "", mcpServer: "" };
  /** Alice's data, which nobody else may ever see. */
  let secrets: string[] = [];
  let walked: Walked[] = [];
  let tableProblems: string[] = [];
  /** Requests the walk sent (reported at the end). */
  let requests = 0;
  /** Error answers not in the README's shape, `{"error": {"code", "message"}}`. */
  const misshapen: string[] = [];
  function checkShape(method: string, path: string, answer: Answer): void {
    if (answer.status < 400) return;
    let error: { code?: unknown; message?: unknown } | undefined;
    try {
      error = (JSON.parse(answer.text) as { error?: typeof error }).error;
    } catch {
      error = undefined;
    }
    if (typeof error?.code !== "string" || typeof error.message !== "string") misshapen.push(`${method} ${path} → ${describeAnswer(answer)}`);
  }

  beforeAll(async () => {
    server = await startChatServer({ authMode: "local", database: await kind.location(), signInAttemptsPerIp: 1_000_000, limits: { ratePerMinute: 100_000 } });
    const setup = await server.api("POST", "/auth/setup", { ...ALICE, token: server.app.setupToken });
    expect(setup.status).toBe(200);
    alice = { name: "alice", id: setup.body.user.id, cookie: sessionCookie(setup.headers) };
    ids.alice = alice.id;
    const asAlice = (method: string, path: string, body?: unknown) => server.api(method, path, body, { cookie: alice.cookie });
    const bobId = (await asAlice("POST", "/api/admin/users", BOB)).body.user.id as string;
    ids.carol = (await asAlice("POST", "/api/admin/users", CAROL)).body.user.id as string;
    bob = { name: "bob", id: bobId, cookie: (await signIn(server, BOB.email, BOB.password)).cookie };

    const profile = (await asAlice("GET", "/api/profiles")).body.defaultProfile as string;
    // A file of Alice's (an upload is multipart, so it is made here rather than by the walk).
    const form = new FormData();
    form.append("file", new Blob(["alice's quokka notes"]), "notes.txt");
    const uploaded = await fetch(`${server.url}/api/attachments`, { method: "POST", body: form, headers: { cookie: alice.cookie, origin: server.url, "x-requested-with": "fetch" } });
    ids.attachment = ((await uploaded.json()) as { attachment: { id: string } }).attachment.id;
    // An MCP server of Alice's (not reachable: the walk checks routes, not connections).
    ids.mcpServer = (await asAlice("POST", "/api/mcp/servers", { name: "alice-tools", url: "http://127.0.0.1:9/mcp" })).body.server.id as string;
    ids.thread = (await asAlice("POST", "/api/threads", { profile, title: "Alice secret plans" })).body.thread.id;
    env.emulator.enqueue({ blocks: [{ text: "The quokka archipelago is Alice's answer." }] });
    const posted = await asAlice("POST", `/api/threads/${ids.thread}/messages`, { text: "alice's zanzibar question" });
    expect(posted.status).toBe(202);
    ids.message = posted.body.userMessage.id;
    ids.answer = posted.body.assistantMessageId;
    ids.generation = posted.body.generationId;
    const events = await readEvents(`${server.url}/api/generations/${ids.generation}/events`, { headers: { cookie: alice.cookie } });
    expect(textOf(events.events)).toContain("quokka");
    secrets = ["Alice secret plans", "zanzibar", "quokka", ALICE.email, CAROL.email, ids.alice, ids.carol, ids.thread, ids.message, ids.answer, ids.generation, ids.attachment, ids.mcpServer];

    // Leaf candidates by field name, then generic ones; each leaf takes the first its schema accepts.
    const byName: Record<string, unknown[]> = { messageId: [ids.answer], parentId: [ids.message], profile: [profile], token: ["walker-setup-token-0123456789"] };
    const candidatesFor = (field: string): unknown[] => [
      ...(byName[field] ?? []),
      ...(/email/i.test(field) ? ["walker@example.com"] : []),
      ...(/password/i.test(field) ? ["the walker's long passphrase"] : []),
      ...(/url$/i.test(field) ? ["http://127.0.0.1:9/walker"] : []),
      ...(/Id$/.test(field) ? [ids.answer, ids.message] : []),
      "walker sample text",
      "1",
      "7.50",
    ];
    const intruderIds = (k: IdKind) => ({ thread: ids.thread, answer: ids.answer, generation: ids.generation, user: ids.alice, attachment: ids.attachment, mcpServer: ids.mcpServer })[k];
    const ownerIds = (k: IdKind) => ({ thread: ids.thread, answer: ids.answer, generation: ids.generation, user: ids.carol, attachment: ids.attachment, mcpServer: ids.mcpServer })[k];
    tableProblems = [];
    walked = [];
    // Wildcard routes serve static files (the API page's assets, the web app): no ids, no bodies, nothing of anyone's.
    for (const route of server.app.routeTable.routes.filter((r) => !r.url.includes("*"))) {
      const key = `${route.method} ${route.url}`;
      const intruderPath = segmentsOf(route, intruderIds);
      const ownerPath = segmentsOf(route, ownerIds);
      if (typeof intruderPath === "string" || typeof ownerPath === "string") {
        tableProblems.push(`${key}: ${String(intruderPath)}`);
        continue;
      }
      const body = route.schema?.body ? sampleSchema(route.schema.body as ZodLike, candidatesFor) : undefined;
      const query = route.schema?.querystring ? sampleSchema(route.schema.querystring as ZodLike, candidatesFor) : undefined;
      for (const problem of [...(body?.problems ?? []), ...(query?.problems ?? [])]) tableProblems.push(`${key}: ${problem}`);
      walked.push({ route, key, intruderPath, ownerPath, hasId: intruderPath.some((s) => s.id), body, query });
    }
  });
  afterAll(async () => {
    if (!server) return;
    await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
    await server.close();
  });

  /** A fresh session for an actor whose session a request ended (sign-out) or replaced; made in the database. */
  async function renew(actor: Actor): Promise<void> {
    const { token } = await createSession(server.db, actor.id, new Date());
    actor.cookie = `chat_session=${token}`;
  }

  /** One request as a browser of the app would send it (Origin and X-Requested-With), as `actor` or nobody. */
  async function send(method: string, path: string, options: { actor?: Actor; body?: unknown; origin?: string } = {}): Promise<Answer> {
    requests++;
    const headers: Record<string, string> = { origin: options.origin ?? server.url, "x-requested-with": "fetch" };
    if (options.actor) headers["cookie"] = options.actor.cookie;
    if (options.body !== undefined) headers["content-type"] = "application/json";
    const res = await fetch(server.url + path, {
      method,
      headers,
      redirect: "manual",
      signal: AbortSignal.timeout(15_000),
      ...(options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
    });
    const text = await res.text();
    if (options.actor && res.headers.getSetCookie().some((c) => c.startsWith("chat_session="))) await renew(options.actor);
    checkShape(method, path, { status: res.status, text });
    return { status: res.status, text };
  }

  /** A raw upload with node:http: one buffer with its Content-Length, or streamed in chunks (no length); the answer may come before it ends. */
  function upload(method: string, path: string, body: Buffer, mode: "buffer" | "stream", actor?: Actor): Promise<Answer> {
    const headers: Record<string, string> = { origin: server.url, "x-requested-with": "fetch", "content-type": "application/json" };
    if (actor) headers["cookie"] = actor.cookie;
    // Chunked said explicitly: node:http would otherwise send a DELETE's body unframed (as the next request).
    if (mode === "buffer") headers["content-length"] = String(body.length);
    else headers["transfer-encoding"] = "chunked";
    requests++;
    return new Promise((resolve, reject) => {
      let answered = false;
      let settled = false;
      const chunks: Buffer[] = [];
      let status = 0;
      const req = httpRequest(server.url + path, { method, headers, agent: false });
      const settle = (error?: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        req.destroy();
        // The server may close the connection once it has answered (it refuses the rest of the body): not an error.
        if (answered) {
          const answer = { status, text: Buffer.concat(chunks).toString() };
          checkShape(method, path, answer);
          resolve(answer);
        }
        else reject(error ?? new Error(`${method} ${path}: the connection closed without an answer`));
      };
      const timer = setTimeout(() => settle(new Error(`no answer to ${method} ${path} within 30 s`)), 30_000);
      req.on("response", (res) => {
        answered = true;
        status = res.statusCode ?? 0;
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => settle());
        res.on("error", () => settle());
      });
      req.on("error", (error) => settle(error));
      req.on("close", () => settle());
      if (mode === "buffer") {
        req.end(body);
        return;
      }
      let offset = 0;
      const pump = (): void => {
        while (offset < body.length && !answered && !req.destroyed) {
          const more = req.write(body.subarray(offset, (offset += 256 * 1024)));
          if (!more) {
            req.once("drain", pump);
            return;
          }
        }
        if (!req.destroyed) req.end();
      };
      pump();
    });
  }

  /** Alice's data in an answer to someone else, other than what that request itself carried (a 404 may echo its URL). */
  function leaked(answer: Answer, request: { path: string; body?: unknown }): string[] {
    const sent = request.path + (request.body !== undefined ? JSON.stringify(request.body) : "");
    return secrets.filter((s) => answer.text.includes(s) && !sent.includes(s));
  }

  const describeAnswer = (a: Answer) => `${a.status} ${a.text.replace(/\s+/g, " ").slice(0, 160)}`;

  /** Expectations for someone who is not Alice (Bob, or nobody when `actor` is undefined). */
  function checkIntruder(problems: string[], label: string, w: Walked, path: string, answer: Answer, actor: Actor | undefined, body: unknown): void {
    const where = `${label}: ${w.route.method} ${path} as ${actor?.name ?? "nobody"} → ${describeAnswer(answer)}`;
    if (answer.status >= 500) problems.push(`${where}: a 5xx`);
    const leaks = leaked(answer, { path, body });
    if (leaks.length) problems.push(`${where}: shows Alice's ${JSON.stringify(leaks)}`);
    if (!actor && needsSession(w.route.url) && answer.status !== 401) problems.push(`${where}: expected 401 (not signed in)`);
    if (actor && adminOnly(w.route.url) && answer.status !== 403) problems.push(`${where}: expected 403 (admins only)`);
    if (actor && !adminOnly(w.route.url) && w.hasId && answer.status !== 404) problems.push(`${where}: expected 404 (another user's id)`);
  }

  const sampleBody = (w: Walked) => w.body?.value;

  it("walks every route of the app's table, at least the known ones, each with ids and valid sample bodies", () => {
    expect(tableProblems).toEqual([]);
    const keys = walked.map((w) => w.key);
    expect(keys).toEqual(expect.arrayContaining(KNOWN));
    expect(new Set(keys).size).toBe(keys.length);
    // Everything under /api, /auth and /healthz is walked (only static-file wildcards are left out).
    const skipped = server.app.routeTable.routes.filter((r) => !keys.includes(`${r.method} ${r.url}`));
    expect(skipped.filter((r) => !(r.url.includes("*") && r.method === "GET")).map((r) => `${r.method} ${r.url}`)).toEqual([]);
    for (const w of walked) expect(server.app.hasRoute({ method: w.route.method as "GET", url: w.route.url }), w.key).toBe(true);
    // The policy the server enforces (route-policy.ts) is the README's.
    expect(walked.filter((w) => w.route.public === needsSession(w.route.url)).map((w) => w.key)).toEqual([]);
    const post = walked.find((w) => w.key === "POST /api/threads/:id/messages")!;
    expect(joinPath(post.intruderPath)).toBe(`/api/threads/${ids.thread}/messages`);
    expect(post.body?.strings.map((p) => p.join("."))).toEqual(expect.arrayContaining(["text", "parentId", "profile", "settings.system"]));
    console.info(`route walk on ${kind.name}: ${walked.length} routes`);
  });

  it("without a session: 401 on every protected route, no 5xx anywhere, nothing of Alice's", { timeout: 60_000 }, async () => {
    const problems: string[] = [];
    for (const w of walked) {
      const path = joinPath(w.intruderPath);
      const body = sampleBody(w);
      checkIntruder(problems, "no session", w, path, await send(w.route.method, path, { body }), undefined, body);
    }
    expect(problems).toEqual([]);
  });

  it("with Bob's session against Alice's ids: 403 on admin routes, 404 on ids, nothing of Alice's", { timeout: 60_000 }, async () => {
    const problems: string[] = [];
    for (const w of walked) {
      const path = joinPath(w.intruderPath);
      const body = sampleBody(w);
      checkIntruder(problems, "Bob's session", w, path, await send(w.route.method, path, { actor: bob, body }), bob, body);
    }
    expect(problems).toEqual([]);
  });

  it("with encoded paths: the same answer as unencoded (404 for a path no route matches, 400 for a malformed one), with and without a session", { timeout: 60_000 }, async () => {
    const problems: string[] = [];
    const before = requests;
    for (const w of walked) {
      const body = sampleBody(w);
      // Alice reads (GET only: her own writes would change what the others are checked against).
      const plainRead = w.route.method === "GET" ? await send("GET", joinPath(w.ownerPath), { actor: alice }) : undefined;
      const ownerEncodings = encodings(w.ownerPath);
      for (const [i, encoded] of encodings(w.intruderPath).entries()) {
        const label = `encoded (${encoded.name})`;
        for (const actor of [undefined, bob]) {
          const answer = await send(w.route.method, encoded.path, { ...(actor ? { actor } : {}), body });
          if (encoded.sameRoute) checkIntruder(problems, label, w, encoded.path, answer, actor, body);
          else {
            if (!encoded.otherwise.includes(answer.status)) problems.push(`${label}: ${w.route.method} ${encoded.path} as ${actor?.name ?? "nobody"} → ${describeAnswer(answer)}: expected ${encoded.otherwise.join(" or ")} (not this route)`);
            const leaks = leaked(answer, { path: encoded.path, body });
            if (leaks.length) problems.push(`${label}: ${w.route.method} ${encoded.path} shows Alice's ${JSON.stringify(leaks)}`);
          }
        }
        if (plainRead) {
          const ownerPath = ownerEncodings[i]!.path;
          const answer = await send("GET", ownerPath, { actor: alice });
          const expected = encoded.sameRoute ? [plainRead.status] : encoded.otherwise;
          if (!expected.includes(answer.status)) problems.push(`${label}: GET ${ownerPath} as alice → ${describeAnswer(answer)}: expected ${expected} (unencoded: ${plainRead.status})`);
        }
      }
    }
    console.info(`route walk on ${kind.name}: ${requests - before} encoded requests`);
    expect(problems).toEqual([]);
  });

  it("with a foreign Origin: 403 on every state-changing route and every /api read, encoded or not, even with a session", { timeout: 60_000 }, async () => {
    const problems: string[] = [];
    for (const w of walked.filter((w) => changesState(w.route.method) || w.route.url.startsWith("/api/"))) {
      const body = sampleBody(w);
      const plain = joinPath(w.ownerPath);
      const tries = [
        { name: "plain", path: plain, otherwise: [] as number[], origin: EVIL_ORIGIN },
        ...encodings(w.ownerPath).map((e) => ({ ...e, origin: EVIL_ORIGIN })),
        ...OTHER_ORIGINS.map((origin) => ({ name: "plain", path: plain, otherwise: [] as number[], origin })),
      ];
      for (const { name, path, otherwise, origin } of tries) {
        const answer = await send(w.route.method, path, { actor: alice, body, origin });
        const expected = [403, ...otherwise];
        if (!expected.includes(answer.status)) problems.push(`Origin ${origin} (${name}): ${w.route.method} ${path} as alice → ${describeAnswer(answer)}: expected ${expected.join(" or ")}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("with a huge body: 401 or 413 without a session, 413 with one, and routes callable before sign-in refuse more than a few KB", { timeout: 90_000 }, async () => {
    const problems: string[] = [];
    const huge = Buffer.alloc(HUGE, "a");
    huge.write('{"text":"', 0);
    huge.write('"}', HUGE - 2);
    const overPublic = Buffer.from(JSON.stringify({ text: "a".repeat(OVER_PUBLIC_LIMIT) }));
    const refusedBeforeSignIn: string[] = [];
    for (const w of walked.filter((w) => changesState(w.route.method))) {
      const path = joinPath(w.intruderPath);
      const nobody = await upload(w.route.method, path, huge, "buffer");
      const expectedNobody = w.route.public ? [413] : [401, 413];
      if (!expectedNobody.includes(nobody.status)) problems.push(`huge body, no session: ${w.key} → ${describeAnswer(nobody)}: expected ${expectedNobody.join(" or ")}`);
      const withSession = await upload(w.route.method, path, huge, "stream", bob);
      if (withSession.status !== 413) problems.push(`huge body streamed, Bob's session: ${w.key} → ${describeAnswer(withSession)}: expected 413`);
      if (w.route.public) {
        const small = await upload(w.route.method, path, overPublic, "buffer");
        if (small.status !== 413) problems.push(`${overPublic.length} bytes before sign-in: ${w.key} → ${describeAnswer(small)}: expected 413`);
        else refusedBeforeSignIn.push(w.key);
      }
    }
    expect(problems).toEqual([]);
    expect(refusedBeforeSignIn).toEqual(expect.arrayContaining(["POST /auth/login", "POST /auth/setup", "POST /auth/logout", "POST /auth/logout-everywhere"]));
    // Bob's session is still there (nothing above was processed).
    expect((await send("GET", "/api/session", { actor: bob })).text).toContain(BOB.email);
  });

  it("with a NUL in every path id, body string field and query string field: never 5xx; ids 404, emails 400", { timeout: 90_000 }, async () => {
    const problems: string[] = [];
    const before = requests;
    const check = (label: string, method: string, path: string, answer: Answer, expected?: number[]) => {
      const where = `NUL ${label}: ${method} ${path} as alice → ${describeAnswer(answer)}`;
      if (answer.status >= 500) problems.push(`${where}: a 5xx`);
      if (expected && !expected.includes(answer.status)) problems.push(`${where}: expected ${expected.join(" or ")}`);
      // Free text is stored without its NULs: a success never hands one back.
      if (answer.status < 300 && answer.text.includes("\\u0000")) problems.push(`${where}: a NUL came back in a success`);
    };
    // Alice, the owner, so that each request gets past the ownership checks to the code that stores the value.
    for (const w of walked) {
      const body = sampleBody(w);
      if (w.hasId) {
        const spoilers: [string, (id: string) => string][] = [
          ["after the path id", (id) => `${id}%00`],
          ["as the path id", () => "%00"],
          ["inside the path id", (id) => `${id.slice(0, 16)}%00${id.slice(16)}`],
          // Not a NUL, but no id either: longer than the router takes in a parameter.
          ["(none: a 200-character path id)", () => "f".repeat(200)],
        ];
        for (const [label, spoil] of spoilers) {
          const path = joinPath(w.ownerPath.map((s) => (s.id ? { ...s, text: spoil(s.text) } : s)));
          check(label, w.route.method, path, await send(w.route.method, path, { actor: alice, body }), [404]);
        }
      }
      const path = joinPath(w.ownerPath);
      if (w.body?.strings.length) {
        let all = body;
        for (const field of w.body.strings) {
          all = withNulAt(all, field);
          const name = field.at(-1)!;
          const expected = /email/i.test(name) ? [400] : /Id$/.test(name) ? [400, 404] : undefined;
          const answer = await send(w.route.method, path, { actor: alice, body: withNulAt(body, field) });
          check(`in ${field.join(".")}`, w.route.method, path, answer, expected);
          if (expected?.includes(400) && answer.status === 400 && !/NUL/.test(answer.text)) problems.push(`NUL in ${field.join(".")}: ${w.key} → ${describeAnswer(answer)}: the 400 should say it is the NUL`);
        }
        const hasEmail = w.body.strings.some((p) => /email/i.test(p.at(-1)!));
        check("in every string field", w.route.method, path, await send(w.route.method, path, { actor: alice, body: all }), hasEmail ? [400] : undefined);
      }
      if (w.query?.strings.length) {
        for (const field of w.query.strings) {
          const query = queryString(withNulAt(w.query.value, field));
          check(`in ?${field.join(".")}`, w.route.method, path + query, await send(w.route.method, path + query, { actor: alice, body }));
        }
      }
    }
    console.info(`route walk on ${kind.name}: ${requests - before} NUL requests`);
    expect(problems).toEqual([]);
  });

  it("leaves Alice's thread and messages in place and unseen by Bob", async () => {
    await waitFor(async () => server.app.generations.runningCount(), (n) => n === 0);
    const thread = await send("GET", `/api/threads/${ids.thread}`, { actor: alice });
    expect(thread.status).toBe(200);
    expect(thread.text).toContain("zanzibar");
    expect(thread.text).toContain("quokka");
    const bobs = await send("GET", "/api/threads", { actor: bob });
    expect(bobs.status).toBe(200);
    expect(leaked(bobs, { path: "/api/threads" })).toEqual([]);
    expect((await send("GET", "/api/threads?q=zanzibar", { actor: bob })).text).toBe('{"threads":[]}');
    console.info(`route walk on ${kind.name}: ${walked.length} routes, ${requests} requests in all`);
  });

  it("answered every refusal of the walk in the documented error shape", () => {
    expect(requests).toBeGreaterThan(0);
    expect(misshapen).toEqual([]);
  });
});
