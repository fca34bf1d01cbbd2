import { EventStreamCodec } from "@smithy/eventstream-codec";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";

/** application/vnd.amazon.eventstream frames (prelude, CRCs, string headers) as Bedrock sends them. */
const codec = new EventStreamCodec(toUtf8, fromUtf8);
const str = (value: string) => ({ type: "string" as const, value });

export function encodeEvent(eventType: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: { ":event-type": str(eventType), ":content-type": str("application/json"), ":message-type": str("event") },
    body: fromUtf8(JSON.stringify(payload)),
  });
}

/** A modeled in-stream exception; `type` is the lowerCamelCase union member, e.g. throttlingException. */
export function encodeException(type: string, payload: unknown): Uint8Array {
  return codec.encode({
    headers: { ":exception-type": str(type), ":content-type": str("application/json"), ":message-type": str("exception") },
    body: fromUtf8(JSON.stringify(payload)),
  });
}
