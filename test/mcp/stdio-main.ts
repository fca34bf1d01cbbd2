import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { createHardServer } from "./hard-server.js";

/** The hard-case MCP server over stdio (`tsx test/mcp/stdio-main.ts`); it exits when its stdin closes. */
const server = createHardServer();
await server.connect(new StdioServerTransport());
process.stdin.on("end", () => process.exit(0));
