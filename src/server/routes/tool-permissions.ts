import type { FastifyPluginAsyncZod } from "fastify-type-provider-zod";
import { z } from "zod";
import type { ToolPermissionInfo } from "../../shared/mcp.js";
import type { Db } from "../../store/db.js";
import { listToolPermissions, setToolPermission } from "../../store/tool-permissions.js";
import { notFound } from "../http-errors.js";
import { identifier, idParams } from "../schemas.js";

/**
 * The user's decisions about single tools of their MCP servers: "allow" (Always allow: runs without asking),
 * "ask" (asks although the tool says it only reads), or null (the server's rule). Another user's server is 404.
 */
export const toolPermissionRoutes: FastifyPluginAsyncZod<{ db: Db }> = async (app, { db }) => {
  app.get("/api/mcp/tool-permissions", { schema: { tags: ["mcp"] } }, async (request) => {
    const permissions: ToolPermissionInfo[] = [];
    for (const [serverId, tools] of await listToolPermissions(db, request.user.id)) for (const [tool, permission] of tools) permissions.push({ serverId, tool, permission });
    return { permissions };
  });

  app.put(
    "/api/mcp/servers/:id/tool-permissions",
    {
      schema: {
        tags: ["mcp"],
        params: idParams,
        body: z.object({ tool: identifier("tool name", 500).pipe(z.string().min(1)), permission: z.enum(["allow", "ask"]).nullable() }).strict(),
      },
    },
    async (request, reply) => {
      const { id } = request.params;
      if (!(await setToolPermission(db, request.user.id, id, request.body.tool, request.body.permission))) throw notFound("MCP server");
      return reply.status(204).send();
    },
  );
};
