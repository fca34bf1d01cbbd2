/** Environment that points the real AWS SDK at the emulator, exactly as a user would point it at another endpoint. */
export function emulatorEnv(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: endpoint,
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_MAX_ATTEMPTS: "1",
    // Never look for credentials on the EC2 metadata address: test traffic stays on 127.0.0.1.
    AWS_EC2_METADATA_DISABLED: "true",
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: "true",
    ...extra,
  };
}
