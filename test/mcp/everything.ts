import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { freePort } from "../helpers/postgres.js";
import { dirname, join } from "node:path";
import type { McpServerConfig } from "../../src/tools/connection.js";

/**
 * `@modelcontextprotocol/server-everything`, the MCP reference server, for tests: over stdio (spawned with node
 * directly, not npx, so closing the client ends the server), or over Streamable HTTP on a free port (it listens on
 * every interface; tests only talk to 127.0.0.1), stopped after.
 */

const require = createRequire(import.meta.url);
export const EVERYTHING_BIN = join(dirname(require.resolve("@modelcontextprotocol/server-everything/package.json")), "dist", "index.js");
const ROOT = join(import.meta.dirname, "..", "..");
export const HARD_STDIO_MAIN = join(ROOT, "test", "mcp", "stdio-main.ts");
export const TSX_BIN = join(ROOT, "node_modules", ".bin", "tsx");

export function everythingStdio(name = "everything"): McpServerConfig {
  return { name, transport: "stdio", command: process.execPath, args: [EVERYTHING_BIN, "stdio"] };
}

/** Our hard-case server over stdio (through tsx). */
export function hardStdio(name = "hard"): McpServerConfig {
  return { name, transport: "stdio", command: process.execPath, args: ["--import", "tsx", HARD_STDIO_MAIN] };
}

/** A free port on 127.0.0.1 (the one helper every server of the tests uses). */
export { freePort };

export interface EverythingHttp {
  url: string;
  child: ChildProcess;
  close(): Promise<void>;
}

export async function startEverythingHttp(): Promise<EverythingHttp> {
  for (let attempt = 0; ; attempt++) {
    const port = await freePort();
    const child = spawn(process.execPath, [EVERYTHING_BIN, "streamableHttp"], { env: { PATH: process.env["PATH"] ?? "", PORT: String(port) }, stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    const ready = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 10_000);
      child.stderr!.on("data", (d: Buffer) => {
        stderr += d.toString();
        if (stderr.includes(`listening on port ${port}`)) {
          clearTimeout(timer);
          resolve(true);
        }
      });
      child.once("exit", () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    if (ready) {
      return {
        url: `http://127.0.0.1:${port}/mcp`,
        child,
        close: () =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            child.kill("SIGTERM");
          }),
      };
    }
    child.kill("SIGKILL");
    // Another process took the port between the probe and the server's listen: try another.
    if (attempt >= 2) throw new Error(`server-everything did not start: ${stderr}`);
  }
}
