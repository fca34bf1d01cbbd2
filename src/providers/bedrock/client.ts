import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from "@aws-sdk/client-bedrock-runtime";
import { createRequestHandler, maxSocketsFromEnv, type ConnectionOptions } from "./connections.js";

/**
 * One Bedrock Runtime client per region, created on first use and reused. The endpoint, credentials and retry
 * policy come from the SDK's standard sources (AWS_ENDPOINT_URL_BEDROCK_RUNTIME, the credential chain,
 * AWS_MAX_ATTEMPTS / AWS_RETRY_MODE), so tests configure the client exactly as production does. Each client has
 * its own keep-alive pool of connections (connections.ts), of at most BEDROCK_MAX_SOCKETS sockets.
 */
export class BedrockClients {
  private readonly clients = new Map<string, BedrockRuntimeClient>();
  private readonly connections: ConnectionOptions;

  constructor(
    private readonly options: Omit<BedrockRuntimeClientConfig, "region"> = {},
    connections: ConnectionOptions = {},
  ) {
    // Read now, so a wrong BEDROCK_MAX_SOCKETS stops the server or the CLI at start, not at the first answer.
    this.connections = { ...connections, maxSockets: connections.maxSockets ?? maxSocketsFromEnv() };
  }

  forRegion(region: string): BedrockRuntimeClient {
    let client = this.clients.get(region);
    if (!client) {
      client = new BedrockRuntimeClient({ requestHandler: createRequestHandler(this.connections), ...this.options, region });
      this.clients.set(region, client);
    }
    return client;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
