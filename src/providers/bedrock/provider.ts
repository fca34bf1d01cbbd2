import { ConverseCommand, ConverseStreamCommand } from "@aws-sdk/client-bedrock-runtime";
import type { ModelRequest, Provider, ProviderEvent } from "../../engine/provider.js";
import { BedrockClients } from "./client.js";
import { toChatError } from "./errors.js";
import { toConverseInput } from "./request.js";
import { fromResponse, StreamMapper } from "./stream.js";

/** The engine's provider for Amazon Bedrock: ConverseStream when streaming, Converse otherwise, same events. */
export class BedrockProvider implements Provider {
  constructor(readonly clients: BedrockClients = new BedrockClients()) {}

  async *converse(request: ModelRequest): AsyncGenerator<ProviderEvent> {
    const client = this.clients.forRegion(request.region);
    const input = toConverseInput(request);
    const context = { modelId: request.modelId, region: request.region };
    // A call that ends before its answer was read to the end (the reader stopped, or an error) is aborted: the SDK's
    // event stream leaves the response body open when its iterator returns, which would keep a pooled connection busy.
    const release = new AbortController();
    const options = { abortSignal: request.signal ? AbortSignal.any([request.signal, release.signal]) : release.signal };
    let readToTheEnd = false;
    try {
      if (request.stream) {
        const response = await client.send(new ConverseStreamCommand(input), options);
        if (response.stream) {
          const mapper = new StreamMapper(context);
          for await (const event of response.stream) {
            const mapped = mapper.map(event);
            if (mapped) yield mapped;
          }
        }
        readToTheEnd = true;
      } else {
        const response = await client.send(new ConverseCommand(input), options);
        readToTheEnd = true;
        for (const event of fromResponse(response)) yield event;
      }
    } catch (error) {
      throw toChatError(error, context);
    } finally {
      if (!readToTheEnd) release.abort();
    }
  }
}
