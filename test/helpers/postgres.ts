import { spawnSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

/** A throwaway PostgreSQL cluster from Debian's `postgresql` package, on 127.0.0.1 at a random port. */
export interface TestPostgres {
  /** URL of the `postgres` database (superuser, trust authentication on loopback). */
  url: string;
  stop(): void;
}

/** The newest installed server binaries, e.g. /usr/lib/postgresql/15/bin; undefined when PostgreSQL is missing. */
export function findPostgresBin(): string | undefined {
  const root = process.env["PG_BIN"] ? undefined : "/usr/lib/postgresql";
  if (process.env["PG_BIN"]) return existsSync(join(process.env["PG_BIN"], "initdb")) ? process.env["PG_BIN"] : undefined;
  if (!root || !existsSync(root)) return undefined;
  const versions = readdirSync(root).filter((v) => existsSync(join(root, v, "bin", "initdb"))).sort((a, b) => Number(b) - Number(a));
  return versions[0] ? join(root, versions[0], "bin") : undefined;
}

/** A TCP port free on 127.0.0.1 right now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** TLS for a test cluster: the server's certificate and key (PEM), and pg_hba.conf lines replacing the default trust. */
export interface TestPostgresOptions {
  ssl?: { cert: string; key: string };
  hba?: string[];
}

/** Starts a cluster in a temporary directory; PostgreSQL refuses to run as root, so as root it runs as `postgres`. */
export async function startPostgres(bin: string, extra: TestPostgresOptions = {}): Promise<TestPostgres> {
  const dir = mkdtempSync(join(tmpdir(), "chat-pg-"));
  const data = join(dir, "data");
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const ids = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gids = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    if (ids.status !== 0) throw new Error("running as root, and there is no `postgres` user to run PostgreSQL as");
    chownSync(dir, Number(ids.stdout.trim()), Number(gids.stdout.trim()));
    chmodSync(dir, 0o700);
  }
  const run = (tool: string, args: string[]) => {
    const [cmd, argv] = asRoot ? ["runuser", ["-u", "postgres", "--", join(bin, tool), ...args]] : [join(bin, tool), args];
    const result = spawnSync(cmd, argv as string[], { encoding: "utf8", cwd: dir });
    if (result.status !== 0) throw new Error(`${tool} failed: ${result.stderr || result.stdout}`);
  };
  run("initdb", ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
  const port = await freePort();
  let options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200`;
  const owned = (file: string, text: string) => {
    writeFileSync(file, text, { mode: 0o600 });
    if (asRoot) chownSync(file, Number(spawnSync("id", ["-u", "postgres"], { encoding: "utf8" }).stdout.trim()), Number(spawnSync("id", ["-g", "postgres"], { encoding: "utf8" }).stdout.trim()));
  };
  if (extra.ssl) {
    owned(join(data, "server.crt"), extra.ssl.cert);
    owned(join(data, "server.key"), extra.ssl.key);
    options += " -c ssl=on -c ssl_cert_file=server.crt -c ssl_key_file=server.key";
  }
  if (extra.hba) owned(join(data, "pg_hba.conf"), `${extra.hba.join("\n")}\n`);
  run("pg_ctl", ["-D", data, "-o", options, "-l", join(dir, "server.log"), "-w", "-t", "30", "start"]);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    stop() {
      try {
        run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

let counter = 0;

/** A fresh, empty database in the test cluster, so test files do not see each other's rows. */
export async function createTestDatabase(clusterUrl: string): Promise<string> {
  const name = `t_${process.pid}_${Date.now().toString(36)}_${counter++}`;
  const client = new pg.Client({ connectionString: clusterUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const url = new URL(clusterUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
