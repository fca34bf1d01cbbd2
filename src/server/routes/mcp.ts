import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import { SecretsUnavailableError, requireSecretBox } from "../../secrets/secret-box.js";
import { Toolset } from "../../tools/toolset.js";
import type { Db } from "../../store/db.js";
import { newId } from "../../store/ids.js";
import { addServer, DuplicateServerError, getServer, listServers, removeServer, toServerInfo, updateServer, type McpServerRow } from "../../store/mcp-servers.js";
import { HttpError, notFound } from "../http-errors.js";
import { headersContext, type McpTools } from "../mcp.js";
import { freeText, idParams } from "../schemas.js";
import type { McpToolsReply } from "../../shared/mcp.js";

const serverUrl = z
  .url({ protocol: /^https?$/, error: "expected the server's http:// or https:// address, such as https://example.com/mcp" })
  .max(2000);
/** Header names as HTTP allows them; values without line breaks. */
const headers = z.record(z.string().regex(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/, "a header name has letters, digits and - only"), z.string().max(8000).regex(/^[^\r\n\u0000]*$/, "a header value cannot have line breaks")).refine((h) => Object.keys(h).length <= 20, "at most 20 headers");

/**
 * A user's MCP servers: list, add (name, URL, optional headers), change (on/off, ask before running, tools off,
 * headers), remove, and look at a server's tools. Every query is scoped by the user: another user's ids are 404.
 * Header values are stored encrypted and never sent back (only their names).
 */
export const mcpRoutes: FastifyPluginAsyncZod<{ db: Db; mcp: McpTools }> = async (app, { db, mcp }) => {
  const info = (row: McpServerRow) => toServerInfo(row, Object.keys(mcp.headersOf(row).headers));
  const seal = (id: string, values: Record<string, string> | null | undefined): string | null | undefined => {
    if (values === undefined) return undefined;
    if (values === null || Object.keys(values).length === 0) return null;
    try {
      return requireSecretBox(mcp.keys).encrypt(JSON.stringify(values), headersContext(id));
    } catch (error) {
      if (error instanceof SecretsUnavailableError) throw new HttpError(400, "secrets_unavailable", `${error.message}. The server was not saved.`);
      throw error;
    }
  };

  app.get("/api/mcp/servers", { schema: { tags: ["mcp"] } }, async (request) => ({ servers: (await listServers(db, request.user.id)).map(info) }));

  app.post(
    "/api/mcp/servers",
    { schema: { tags: ["mcp"], body: z.object({ name: freeText().pipe(z.string().trim().min(1).max(64)), url: serverUrl, headers: headers.optional() }) } },
    async (request, reply) => {
      const id = newId();
      try {
        const row = await addServer(db, request.user.id, { id, name: request.body.name, url: request.body.url, headersEncrypted: seal(id, request.body.headers) ?? null });
        mcp.invalidate(request.user.id);
        return reply.status(201).send({ server: info(row) });
      } catch (error) {
        if (error instanceof DuplicateServerError) throw new HttpError(409, "duplicate_server", error.message);
        throw error;
      }
    },
  );

  app.patch(
    "/api/mcp/servers/:id",
    {
      schema: {
        tags: ["mcp"],
        params: idParams,
        body: z.object({ enabled: z.boolean().optional(), askBeforeRunning: z.boolean().optional(), disabledTools: z.array(z.string().max(200)).max(1000).optional(), headers: headers.nullable().optional() }),
      },
    },
    async (request) => {
      if (!(await getServer(db, request.user.id, request.params.id))) throw notFound("MCP server");
      const { headers: values, ...rest } = request.body;
      const sealed = seal(request.params.id, values);
      const row = await updateServer(db, request.user.id, request.params.id, { ...rest, ...(sealed !== undefined ? { headersEncrypted: sealed } : {}) });
      mcp.invalidate(request.user.id);
      return { server: info(row!) };
    },
  );

  app.delete("/api/mcp/servers/:id", { schema: { tags: ["mcp"], params: idParams } }, async (request, reply) => {
    if (!(await removeServer(db, request.user.id, request.params.id))) throw notFound("MCP server");
    mcp.invalidate(request.user.id);
    return reply.status(204).send();
  });

  /** Connects to the server now and lists its tools (with the ones the model cannot take and why). */
  app.get("/api/mcp/servers/:id/tools", { schema: { tags: ["mcp"], params: idParams } }, async (request): Promise<McpToolsReply> => {
    const row = await getServer(db, request.user.id, request.params.id);
    if (!row) throw notFound("MCP server");
    const { config, problem } = mcp.configOf(row);
    const toolset = await Toolset.connect([config], { fetch: mcp.fetch });
    try {
      const status = toolset.status()[0];
      const off = new Set(JSON.parse(row.disabled_tools) as string[]);
      const tools = toolset.specs.map((spec) => {
        const name = toolset.lookup(spec.name)?.tool ?? spec.name;
        return { name, description: spec.description ?? "", enabled: !off.has(name) };
      });
      return {
        status: status?.state === "connected" ? "connected" : "error",
        error: problem ?? toolset.failures[0]?.message ?? null,
        tools,
        unavailable: toolset.unavailable.map((u) => ({ name: u.tool, reason: u.reason })),
      };
    } finally {
      await toolset.close();
    }
  });
};
