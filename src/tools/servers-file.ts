import { readFileSync } from "node:fs";
import { z } from "zod";
import type { McpServerConfig } from "./connection.js";

/**
 * The MCP servers an admin offers to every user (MCP_SERVERS_FILE): stdio programs that run on the server host,
 * which ordinary users may not add themselves, and HTTP servers with headers taken from the environment (so the
 * file holds no secret) and, for servers inside the network, permission to reach private addresses. Users switch
 * them on for themselves in the MCP servers dialog.
 *
 * {
 *   "servers": [
 *     { "name": "files", "description": "The team's shared folder", "command": "npx",
 *       "args": ["-y", "@modelcontextprotocol/server-filesystem", "/srv/shared"], "env": { "LOG_LEVEL": "warn" } },
 *     { "name": "wiki", "description": "Company wiki", "url": "https://wiki.internal/mcp",
 *       "headersFromEnv": { "Authorization": "WIKI_MCP_AUTHORIZATION" }, "privateNetwork": true }
 *   ]
 * }
 */

/** A server name as users see it and the tool names carry it: the same rule as for servers users add. */
const serverName = z
  .string()
  .trim()
  .min(1)
  .max(64)
  .regex(/^[^\u0000-\u001f]+$/, "no control characters");
const description = z.string().max(500).optional();
const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "an environment variable name (letters, digits, _)");
const headerName = z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, "a header name has letters, digits and - only");

const stdioServer = z
  .object({
    name: serverName,
    description,
    command: z.string().min(1).max(1000),
    args: z.array(z.string().max(4000)).max(200).optional(),
    /** Values as given, or { "fromEnv": "NAME" } to read the server's own environment (keeps secrets out of the file). */
    env: z.record(envName, z.union([z.string().max(8000), z.object({ fromEnv: envName }).strict()])).optional(),
    cwd: z.string().max(1000).optional(),
  })
  .strict();

const httpServer = z
  .object({
    name: serverName,
    description,
    url: z.url({ protocol: /^https?$/, error: "expected an http:// or https:// address, such as https://wiki.internal/mcp" }).max(2000),
    /** Header name → the environment variable that holds its value. */
    headersFromEnv: z.record(headerName, envName).optional(),
    /** May reach private addresses (an MCP server inside the network); metadata addresses stay refused. */
    privateNetwork: z.boolean().optional(),
  })
  .strict();

const serversFile = z
  .object({ servers: z.array(z.union([stdioServer, httpServer])).max(100) })
  .strict()
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.servers.forEach((server, index) => {
      const key = server.name.toLowerCase();
      if (seen.has(key)) ctx.addIssue({ code: "custom", path: ["servers", index, "name"], message: `"${server.name}" is listed twice; give each server its own name` });
      seen.add(key);
    });
  });

/** An admin-listed server, ready to connect, with what users are told about it. */
export interface ListedServer {
  name: string;
  description: string | null;
  transport: "stdio" | "http";
  /** For the dialog: the command line, or the URL (never header values or env values). */
  where: string;
  /** HTTP servers marked privateNetwork may reach private addresses. */
  privateNetwork: boolean;
  config: McpServerConfig;
}

/** MCP_SERVERS_FILE that cannot be used, with the file, the place and what to change. */
export class ServersFileError extends Error {
  override readonly name = "ServersFileError";
}

/**
 * Reads and checks MCP_SERVERS_FILE. Environment values named in it (headersFromEnv, env fromEnv) are read now, so
 * a missing one stops the start with its name rather than failing a user's answer later.
 */
export function loadServersFile(path: string, env: Record<string, string | undefined> = process.env): ListedServer[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    throw new ServersFileError(`MCP_SERVERS_FILE ${path} cannot be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}. Check the path, or unset MCP_SERVERS_FILE.`);
  }
  return parseServersFile(text, path, env);
}

export function parseServersFile(text: string, path: string, env: Record<string, string | undefined> = process.env): ListedServer[] {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ServersFileError(`MCP_SERVERS_FILE ${path} is not valid JSON: ${(error as Error).message}.`);
  }
  const parsed = serversFile.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("").replace(/^\./, "") : "the top level";
    throw new ServersFileError(`MCP_SERVERS_FILE ${path}: ${where}: ${issue.message}. Each server has a name and either a command (stdio) or a url (HTTP); see the README's "Servers for everyone".`);
  }
  const fromEnv = (variable: string, what: string) => {
    const value = env[variable];
    if (value === undefined || value === "") throw new ServersFileError(`MCP_SERVERS_FILE ${path}: ${what} reads the environment variable ${variable}, which is not set. Set it, or remove it from the file.`);
    return value;
  };
  return parsed.data.servers.map((server): ListedServer => {
    if ("command" in server) {
      const values = Object.entries(server.env ?? {}).map(([key, value]) => [key, typeof value === "string" ? value : fromEnv(value.fromEnv, `server ${server.name}'s env ${key}`)] as const);
      return {
        name: server.name,
        description: server.description ?? null,
        transport: "stdio",
        where: [server.command, ...(server.args ?? [])].join(" "),
        privateNetwork: false,
        config: { name: server.name, transport: "stdio", command: server.command, ...(server.args ? { args: server.args } : {}), ...(values.length ? { env: Object.fromEntries(values) } : {}), ...(server.cwd ? { cwd: server.cwd } : {}) },
      };
    }
    const headers = Object.entries(server.headersFromEnv ?? {}).map(([header, variable]) => [header, fromEnv(variable, `server ${server.name}'s header ${header}`)] as const);
    return {
      name: server.name,
      description: server.description ?? null,
      transport: "http",
      where: server.url,
      privateNetwork: server.privateNetwork === true,
      config: { name: server.name, transport: "http", url: server.url, ...(headers.length ? { headers: Object.fromEntries(headers) } : {}) },
    };
  });
}
