import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isIgnored, readDockerignore } from "../infra/lib/docker-context.js";
import { ROOT } from "../src/server/web-build.js";
import { useBedrockEmulator } from "./helpers/bedrock-env.js";
import { readEvents, textOf, waitFor } from "./helpers/chat-server.js";
import { finalStage, parseDockerfile, type Instruction } from "./helpers/dockerfile.js";
import { freePort } from "./helpers/postgres.js";

// The image cannot be built here (no Docker): this builds what its build stage builds, lays out what its runtime
// stage copies, and runs that with production dependencies only.
const env = useBedrockEmulator();

const dockerfile = parseDockerfile(join(ROOT, "Dockerfile"));
const ignore = readDockerignore(ROOT);
const BUILD_STAGE_DIR = "/app/";

let work: string;
/** The build stage's /app: the sources the Dockerfile copies, then `npm run build`. */
let buildDir: string;
/** The runtime stage's /app: what the Dockerfile copies from the build stage, dev dependencies pruned. */
let runDir: string;
const children: ChildProcess[] = [];

function run(cmd: string, args: string[], cwd: string): void {
  const result = spawnSync(cmd, args, { cwd, encoding: "utf8", env: { ...process.env, NODE_OPTIONS: "" } });
  if (result.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${result.stdout}\n${result.stderr}`);
}

const copies = (stage: Instruction[]) => stage.filter((i) => i.keyword === "COPY");

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), "chat-prod-"));
  buildDir = join(work, "build");
  runDir = join(work, "run");
  mkdirSync(buildDir);
  mkdirSync(runDir);
  // The build stage: COPY the sources it names from the context (without what .dockerignore leaves out), npm ci
  // (here: the installed node_modules, linked), npm run build.
  for (const copy of copies(dockerfile.filter((i) => i.stage === "build"))) {
    for (const source of copy.words.slice(0, -1)) {
      cpSync(join(ROOT, source), join(buildDir, source), { recursive: true, filter: (from) => !isIgnored(from.slice(ROOT.length + 1), ignore) });
    }
  }
  symlinkSync(join(ROOT, "node_modules"), join(buildDir, "node_modules"), "dir");
  run("npm", ["run", "build"], buildDir);
  // The runtime stage: what it copies from the build stage; node_modules is a real copy, pruned as the build stage
  // prunes it (a fresh install would rebuild native modules from source).
  for (const copy of copies(finalStage(dockerfile))) {
    const [source, destination] = [copy.words[0]!, copy.words.at(-1)!];
    const target = join(runDir, destination.replace(/^\.\//, ""));
    if (copy.flags["from"] === "build") {
      const inBuild = source.slice(BUILD_STAGE_DIR.length);
      if (inBuild === "node_modules") run("cp", ["-a", join(ROOT, "node_modules"), target], work);
      else cpSync(join(buildDir, inBuild), target, { recursive: true });
    } else {
      cpSync(join(ROOT, source), target);
    }
  }
  cpSync(join(ROOT, "package-lock.json"), join(runDir, "package-lock.json"));
  run("npm", ["prune", "--omit=dev", "--offline", "--no-audit", "--no-fund"], runDir);
}, 300_000);

afterAll(() => {
  for (const child of children) child.kill("SIGKILL");
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Starts `node dist/server/main.js` in the runtime layout; resolves with its URL once it listens. */
async function startProduction(dir: string, extraEnv: Record<string, string> = {}): Promise<{ url: string; child: ChildProcess; output: () => string }> {
  const port = await freePort();
  const child = spawn("node", ["dist/server/main.js"], {
    cwd: dir,
    env: { ...process.env, NODE_OPTIONS: "", NODE_ENV: "production", HOST: "127.0.0.1", PORT: String(port), DATA_DIR: join(dir, "data"), LOG_LEVEL: "warn", TITLE_GENERATION: "off", ...extraEnv },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const url = `http://127.0.0.1:${port}`;
  await waitFor(
    () => fetch(`${url}/healthz`).then((r) => r.status, () => (child.exitCode !== null ? -1 : 0)),
    (status) => status === 200 || status === -1,
    20_000,
  );
  if (child.exitCode !== null) throw new Error(`the production start exited ${child.exitCode}: ${output}`);
  return { url, child, output: () => output };
}

describe("npm run build", () => {
  it("compiles the server into dist/ (no tests) and the web app into web/dist/", () => {
    expect(existsSync(join(buildDir, "dist", "server", "main.js"))).toBe(true);
    expect(existsSync(join(buildDir, "dist", "cli", "main.js"))).toBe(true);
    expect(existsSync(join(buildDir, "web", "dist", "index.html"))).toBe(true);
    const files = (readdirSync(join(buildDir, "dist"), { recursive: true }) as string[]).map(String);
    expect(files.filter((f) => f.endsWith(".test.js"))).toEqual([]);
  });
});

describe("Dockerfile", () => {
  it("copies only paths that exist in the context (and that .dockerignore keeps) or after npm run build", () => {
    const missing: string[] = [];
    for (const copy of copies(dockerfile)) {
      for (const source of copy.words.slice(0, -1)) {
        if (copy.flags["from"] === "build") {
          if (!existsSync(join(buildDir, source.slice(BUILD_STAGE_DIR.length)))) missing.push(`${source} (from the build stage)`);
        } else if (!existsSync(join(ROOT, source)) || isIgnored(source, ignore)) {
          missing.push(`${source} (from the context)`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it("builds in one stage and runs the current Node LTS slim image in another, as a user that is not root", () => {
    const from = dockerfile.filter((i) => i.keyword === "FROM");
    expect(from.map((i) => i.stage)).toEqual(["build", "runtime"]);
    for (const stage of from) expect(stage.words[0]).toMatch(/^node:(2[4-9]|[3-9]\d)-(\w+-)?slim$/);
    const runtime = finalStage(dockerfile);
    const users = runtime.filter((i) => i.keyword === "USER").map((i) => i.words[0]);
    expect(users.length).toBeGreaterThan(0);
    expect(users.at(-1)).not.toMatch(/^(root|0)(:.*)?$/);
    // Nothing runs as root after the USER line.
    const userIndex = runtime.findIndex((i) => i.keyword === "USER");
    expect(runtime.slice(userIndex).filter((i) => i.keyword === "RUN")).toEqual([]);
  });

  it("runs node as PID 1 (exec form) in production mode on all interfaces, with a health check on /healthz", () => {
    const runtime = finalStage(dockerfile);
    const cmd = runtime.filter((i) => i.keyword === "CMD").at(-1)!;
    expect(JSON.parse(cmd.args)).toEqual(["node", "dist/server/main.js"]);
    expect(runtime.some((i) => i.keyword === "ENTRYPOINT")).toBe(false);
    const envText = runtime.filter((i) => i.keyword === "ENV").map((i) => i.args).join(" ");
    expect(envText).toMatch(/NODE_ENV=production/);
    expect(envText).toMatch(/HOST=0\.0\.0\.0/);
    expect(runtime.find((i) => i.keyword === "HEALTHCHECK")?.args).toMatch(/\/healthz/);
    // The RDS CA bundle is fetched when the image is built (never by a test or at run time).
    expect(runtime.find((i) => i.keyword === "ADD")?.words.at(-1)).toBe("/etc/ssl/certs/rds-global-bundle.pem");
  });

  it("prunes dev dependencies in the build stage", () => {
    const runs = dockerfile.filter((i) => i.stage === "build" && i.keyword === "RUN").map((i) => i.args).join("\n");
    expect(runs).toMatch(/npm ci/);
    expect(runs).toMatch(/npm run build/);
    expect(runs).toMatch(/npm prune --omit=dev/);
  });

  it(".dockerignore keeps tests, benchmarks, data, builds and .git out of the context", () => {
    for (const path of [".git/HEAD", "test/api.test.ts", "test/e2e/chat.spec.ts", "bench/engine.ts", "data/chat.sqlite", "node_modules/zod/package.json", "web/node_modules/x", "dist/server/main.js", "web/dist/index.html", "src/config/load.test.ts", "cdk.out/manifest.json", "infra/bin/app.ts", ".env"]) {
      expect(isIgnored(path, ignore), path).toBe(true);
    }
    for (const path of ["package.json", "package-lock.json", "tsconfig.build.json", "src/server/main.ts", "web/src/main.tsx", "web/index.html", "config.example.json", "config.json", "bin/config.json"]) {
      expect(isIgnored(path, ignore), path).toBe(false);
    }
  });
});

describe("the production start (node dist/server/main.js, production dependencies only)", () => {
  it("has neither tsx nor vite (nor any dev dependency) to load", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
    const present = Object.keys(pkg.devDependencies).filter((name) => existsSync(join(runDir, "node_modules", name)));
    expect(present).toEqual([]);
    expect(existsSync(join(runDir, "node_modules", "fastify"))).toBe(true);
  });

  it("serves the web app and chats with Bedrock (the emulator), and /healthz answers any Host", async () => {
    const server = await startProduction(runDir);
    const home = await fetch(`${server.url}/`);
    expect(home.status).toBe(200);
    const html = await home.text();
    expect(html).toMatch(/<div id="root">/);
    // The build's brotli copies reached the runtime layout, and are what a browser that accepts br receives.
    const mainScript = html.match(/<script type="module"[^>]* src="\/(assets\/[^"]+\.js)"/)![1]!;
    expect(existsSync(join(runDir, "web", "dist", `${mainScript}.br`))).toBe(true);
    const script = await fetch(`${server.url}/${mainScript}`, { headers: { "accept-encoding": "br, gzip" } });
    expect(script.headers.get("content-encoding")).toBe("br");
    expect(script.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const headers = { origin: server.url, "x-requested-with": "fetch", "content-type": "application/json" };
    const thread = await (await fetch(`${server.url}/api/threads`, { method: "POST", headers, body: "{}" })).json();
    env.emulator.enqueue({ blocks: [{ text: "served from dist" }] });
    const posted = await fetch(`${server.url}/api/threads/${thread.thread.id}/messages`, { method: "POST", headers, body: JSON.stringify({ text: "hello" }) });
    expect(posted.status).toBe(202);
    const { generationId } = await posted.json();
    const { events } = await readEvents(`${server.url}/api/generations/${generationId}/events`, { headers: { origin: server.url } });
    expect(textOf(events)).toBe("served from dist");
    // An ALB health check: the task's private address as Host.
    const { request } = await import("node:http");
    const status = await new Promise<number>((resolve, reject) => {
      request(`${server.url}/healthz`, { headers: { host: "10.0.12.34:8080" } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on("error", reject)
        .end();
    });
    expect(status).toBe(200);
    server.child.kill("SIGTERM");
    await waitFor(async () => server.child.exitCode, (code) => code !== null);
    expect(server.child.exitCode).toBe(0);
  });

  it("refuses to start without the web build, saying to run npm run build", () => {
    // The same layout with web/ moved away for this test.
    renameSync(join(runDir, "web"), join(work, "web-away"));
    let result: SpawnSyncReturns<string>;
    try {
      result = spawnSync("node", ["dist/server/main.js"], {
        cwd: runDir,
        encoding: "utf8",
        env: { ...process.env, NODE_OPTIONS: "", NODE_ENV: "production", PORT: "0", DATA_DIR: join(runDir, "data") },
        timeout: 15_000,
      });
    } finally {
      renameSync(join(work, "web-away"), join(runDir, "web"));
    }
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/^error: the web app is not built: .*web\/dist\/index\.html is missing\. Run `npm run build`/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
