import { BedrockRuntimeClient, type BedrockRuntimeClientConfig } from "@aws-sdk/client-bedrock-runtime";

/**
 * One Bedrock Runtime client per region, created on first use and reused. The endpoint, credentials and retry
 * policy come from the SDK's standard sources (AWS_ENDPOINT_URL_BEDROCK_RUNTIME, the credential chain,
 * AWS_MAX_ATTEMPTS / AWS_RETRY_MODE), so tests configure the client exactly as production does.
 */
export class BedrockClients {
  private readonly clients = new Map<string, BedrockRuntimeClient>();

  constructor(private readonly options: Omit<BedrockRuntimeClientConfig, "region"> = {}) {}

  forRegion(region: string): BedrockRuntimeClient {
    let client = this.clients.get(region);
    if (!client) {
      client = new BedrockRuntimeClient({ ...this.options, region });
      this.clients.set(region, client);
    }
    return client;
  }

  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }
}
