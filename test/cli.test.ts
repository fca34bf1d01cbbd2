import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startBedrockEmulator, type BedrockEmulator } from "./emulator/server.js";
import { emulatorEnv } from "./helpers/emulator-env.js";
import * as files from "./fixtures/files.js";
import { runCli } from "./helpers/run-cli.js";
import { cachePointCount, withoutCachePoints } from "./helpers/cache-points.js";

/** The CLI's documented contract, end to end as a child process against the emulator. */
let emulator: BedrockEmulator;
let env: Record<string, string>;
beforeAll(async () => {
  emulator = await startBedrockEmulator();
  env = emulatorEnv(emulator.url);
});
beforeEach(() => emulator.reset());
afterAll(async () => emulator.close());

const chat = (args: string[], stdin?: string, extraEnv: Record<string, string> = {}) =>
  runCli(["chat", ...args], { env: { ...env, ...extraEnv }, ...(stdin !== undefined ? { stdin } : {}) });

describe("cli chat: one turn", () => {
  it("streams the answer to stdout and the reasoning to stderr with the default profile", async () => {
    const run = await chat(["Hello there"]);
    expect(run).toMatchObject({ code: 0, stdout: "Echo: Hello there\n" });
    expect(run.stderr).toBe("Thinking about: Hello there\n");
    expect(emulator.requests[0]!.modelId).toBe("us.anthropic.claude-3-7-sonnet-20250219-v1:0");
  });

  it("--json prints exactly one JSON line per turn with the values actually sent", async () => {
    emulator.enqueue({ blocks: [{ reasoning: "r" }, { text: "t" }], usage: { inputTokens: 1000, outputTokens: 1000 } });
    const run = await chat(["--json", "--budget", "2048", "--max-tokens", "1024", "q"]);
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({
      text: "t",
      reasoning: "r",
      stopReason: "end_turn",
      usage: { inputTokens: 1000, outputTokens: 1000, cacheReadInputTokens: 0, cacheWriteInputTokens: 0, cacheWrite1hInputTokens: 0 },
      cost: { input: 0.003, cacheRead: 0, cacheWrite: 0, output: 0.015, total: 0.018 },
      modelId: "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
      request: {
        modelId: "us.anthropic.claude-3-7-sonnet-20250219-v1:0",
        stream: true,
        inference: { maxTokens: 3072, temperature: 1 },
        reasoning: { type: "budget", budgetTokens: 2048, interleaved: false },
        system: true,
        promptCaching: true,
      },
    });
    expect(run.stderr).toBe("");
  });

  it("--no-stream uses Converse; --profile picks the model; flags reach the request", async () => {
    const run = await chat(["--no-stream", "--json", "--profile", "Amazon Nova Lite", "--temperature", "0.2", "--top-p", "0.7", "--max-tokens", "100", "--system", "Be brief on {{TODAY}}", "hi"]);
    expect(run.code).toBe(0);
    const request = emulator.requests[0]!;
    expect(request.operation).toBe("converse");
    expect(request.body["inferenceConfig"]).toEqual({ maxTokens: 100, temperature: 0.2, topP: 0.7 });
    expect(withoutCachePoints(request.body)["system"]).toEqual([{ text: expect.stringMatching(/^Be brief on \d{4}-\d{2}-\d{2}$/) }]);
    expect(JSON.parse(run.stdout).modelId).toBe("us.amazon.nova-lite-v1:0");
  });

  it("--effort and --no-thinking reach the request", async () => {
    await chat(["--profile", "OpenAI GPT OSS 20B", "--effort", "high", "q"]);
    await chat(["--no-thinking", "--temperature", "0.4", "q"]);
    expect(emulator.requests.map((r) => r.body["additionalModelRequestFields"] ?? null)).toEqual([{ reasoning_effort: "high" }, null]);
    expect(emulator.requests[1]!.body["inferenceConfig"]).toEqual({ maxTokens: 8192, temperature: 0.4 });
  });
});

describe("cli chat: conversation from standard input", () => {
  it("treats each line as one turn of the same conversation", async () => {
    const run = await chat(["--json", "--profile", "Amazon Nova Pro"], "first\n\nsecond\nthird\n");
    expect(run.code).toBe(0);
    expect(run.stdout.trim().split("\n").map((l) => JSON.parse(l).text)).toEqual(["Echo: first", "Echo: second", "Echo: third"]);
    expect((emulator.requests[2]!.body["messages"] as unknown[]).length).toBe(5);
  });

  it("stops at the first error with a non-zero exit, after the turns already printed", async () => {
    emulator.enqueue({ blocks: [{ text: "ok" }] }, { error: { type: "ValidationException", status: 400, message: "Nope." } });
    const run = await chat(["--json", "--profile", "Amazon Nova Pro"], "one\ntwo\nthree\n");
    expect(run.code).toBe(1);
    // The turn that answered, then the error as a JSON line with Bedrock's own words apart.
    const lines = run.stdout.trim().split("\n");
    expect(lines).toHaveLength(2);
    expect(JSON.parse(lines[1]!)).toEqual({ error: { code: "validation", message: "Bedrock rejected the request: Nope.", bedrockMessage: "Nope.", retryable: false } });
    expect(run.stderr).toBe("error: Bedrock rejected the request: Nope.\n");
    expect(emulator.requests).toHaveLength(2);
  });

  it("in plain mode keeps the streamed text and reports a mid-stream error after it", async () => {
    emulator.enqueue({ blocks: [{ text: "partial answer here" }], deltas: 3, streamException: { afterDeltas: 2, type: "throttlingException", message: "Too many tokens" } });
    const run = await chat(["--profile", "Amazon Nova Pro", "q"]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("partial answer\n");
    expect(run.stderr).toBe("error: Bedrock is throttling requests to model us.amazon.nova-pro-v1:0 in us-west-2. Wait a moment and retry. Bedrock said: Too many tokens\n");
  });
});

describe("cli chat: prompt caching", () => {
  // A 1,100-token system prompt (4,400 characters) with a variable: the prefix is over Sonnet 4.5's minimum of 1,024.
  const longSystem = ["--system", `It is {{UTC_TIME}}. ${"Answer carefully. ".repeat(244)}`];

  it("a caching profile sends checkpoints; each stdin line reads what the one before wrote, the system prompt resolved once", async () => {
    const run = await chat(["--json", "--profile", "Claude Sonnet 4.5", ...longSystem], "first\nsecond\n");
    expect(run.code, run.stderr).toBe(0);
    const [one, two] = run.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(emulator.requests.map((r) => cachePointCount(r.body))).toEqual([2, 3]);
    // The same system text both turns, although a second may have passed: {{UTC_TIME}} was filled in once.
    expect(emulator.requests[1]!.body["system"]).toEqual(emulator.requests[0]!.body["system"]);
    expect(one.usage.cacheReadInputTokens).toBe(0);
    expect(one.usage.cacheWriteInputTokens).toBeGreaterThan(1024);
    expect(two.usage.cacheReadInputTokens).toBe(one.usage.cacheWriteInputTokens);
    // --json: the cache's share of the cost apart, and in the total (Sonnet 4.5: read 0.0003, write 0.00375 per 1k).
    expect(two.cost.cacheRead).toBeCloseTo((two.usage.cacheReadInputTokens * 0.0003) / 1000, 12);
    expect(two.cost.cacheWrite).toBeCloseTo((two.usage.cacheWriteInputTokens * 0.00375) / 1000, 12);
    expect(two.cost.total).toBeCloseTo(two.cost.input + two.cost.cacheRead + two.cost.cacheWrite + two.cost.output, 12);
    expect(two.request.promptCaching).toBe(true);
  });

  it("--json gives the cost of cache reads and writes exactly as billed", async () => {
    emulator.enqueue({ blocks: [{ text: "t" }], usage: { inputTokens: 100, outputTokens: 200, cacheReadInputTokens: 10_000, cacheWriteInputTokens: 2000, cacheDetails: [{ ttl: "5m", inputTokens: 2000 }] } });
    const run = await chat(["--json", "--profile", "Claude Sonnet 4.5", "q"]);
    const line = JSON.parse(run.stdout);
    expect(line.usage).toEqual({ inputTokens: 100, outputTokens: 200, cacheReadInputTokens: 10_000, cacheWriteInputTokens: 2000, cacheWrite1hInputTokens: 0 });
    // 100 x 0.003 + 10,000 x 0.0003 + 2,000 x 0.00375 + 200 x 0.015, per 1,000 tokens.
    expect(line.cost).toEqual({ input: 0.0003, cacheRead: 0.003, cacheWrite: 0.0075, output: 0.003, total: 0.0138 });
  });

  it("--no-cache sends no checkpoint, and is accepted on a profile that does not cache", async () => {
    const run = await chat(["--json", "--no-cache", "--profile", "Claude Sonnet 4.5", ...longSystem], "first\nsecond\n");
    expect(run.code, run.stderr).toBe(0);
    expect(emulator.requests.map((r) => cachePointCount(r.body))).toEqual([0, 0]);
    expect(run.stdout.trim().split("\n").map((l) => JSON.parse(l).usage.cacheReadInputTokens)).toEqual([0, 0]);
    expect(JSON.parse(run.stdout.trim().split("\n")[0]!).request.promptCaching).toBe(false);
    const llama = await chat(["--json", "--no-cache", "--profile", "Meta Llama 4 Scout", "q"]);
    expect(llama.code, llama.stderr).toBe(0);
    expect(cachePointCount(emulator.requests.at(-1)!.body)).toBe(0);
    expect(withoutCachePoints(emulator.requests.at(-1)!.body)).toEqual(emulator.requests.at(-1)!.body);
  });

  it("--help lists --no-cache", async () => {
    expect((await chat(["--help"])).stdout).toContain("--no-cache             send no prompt-caching checkpoints");
  });
});

describe("cli chat: usage errors exit 2 and say why, without calling Bedrock", () => {
  it.each<[string[], RegExp]>([
    [["--profile", "Nope", "q"], /^usage error: unknown profile "Nope"\. Available profiles:\n {2}Claude Sonnet 4\.5\n[\s\S]*\n {2}Qwen 3 235B\n$/],
    [["--profile", "Amazon Nova Pro", "--budget", "2048", "q"], /has no thinking budget/],
    [["--profile", "Amazon Nova Pro", "--thinking", "q"], /does not reason, so thinking cannot be switched on or off/],
    [["--effort", "high", "q"], /has no reasoning effort/],
    [["--temperature", "0.5", "q"], /temperature cannot be set on profile "Claude 3\.7 Sonnet" while it reasons/],
    [["--top-p", "0.5", "q"], /top P cannot be set/],
    [["--profile", "Claude 3.7 Sonnet", "--interleaved", "q"], /does not offer interleaved thinking/],
    [["--budget", "100", "q"], /thinking budget must be a whole number from 1024 to 64000, not 100/],
    [["--max-tokens", "99999", "q"], /max tokens must be a whole number from 1 to 64000/],
    [["--temperature", "warm", "--no-thinking", "q"], /--temperature expects a number, not "warm"/],
    [["--effort", "max", "--profile", "OpenAI GPT OSS 20B", "q"], /--effort must be one of low, medium, high, not "max"/],
    [["--thinking", "--no-thinking", "q"], /contradict/],
    [["--bogus", "q"], /Unknown option '--bogus'/],
    [["--attach", "no-such-file.pdf", "q"], /cannot read no-such-file\.pdf: no such file; nothing was sent/],
    [["--profile", "DeepSeek R1", "--mcp", "x=http://127.0.0.1:9/mcp", "q"], /^usage error: profile "DeepSeek R1" does not use tools, so --mcp and --mcp-stdio cannot be used with it\. Profiles with tools:\n {2}Claude Sonnet 4\.5\n[\s\S]*\n {2}Qwen 3 235B\n$/],
    [["--mcp", "no-url", "q"], /--mcp expects NAME=URL, not "no-url"/],
  ])("%j", async (args, message) => {
    const run = await chat(args);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe("");
    expect(run.stderr).toMatch(message);
    expect(run.stderr.startsWith("usage error: ")).toBe(true);
    expect(emulator.requests).toHaveLength(0);
  });
});

describe("cli chat: configuration and environment errors", () => {
  it("a bad config file gives one message naming the file and the path, no stack trace", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-"));
    const path = join(dir, "config.json");
    writeFileSync(path, JSON.stringify({ bedrock_models: { "Claude 3.7 Sonnet": { id: "x", cost: { input_1k_price: "cheap", output_1k_price: 1 } } } }));
    const run = await chat(["--config", path, "q"]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`error: ${path}: bedrock_models["Claude 3.7 Sonnet"].cost.input_1k_price: expected a price in USD per 1,000 tokens (a number such as 0.003), found string "cheap"\n`);
  });

  it("warnings from the config go to stderr and the turn still runs", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-"));
    writeFileSync(join(dir, "config.json"), JSON.stringify({ bedrock_models: { Nova: { id: "us.amazon.nova-pro-v1:0", colour: "blue" } } }));
    const run = await chat(["q"], undefined, { CONFIG_PATH: join(dir, "config.json") });
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/warning: .*ignoring unknown key bedrock_models\["Nova"\]\.colour/);
    expect(run.stderr).toMatch(/has no "cost": its cost will show as unknown/);
  });

  it("missing AWS credentials: non-zero exit and how to provide them", async () => {
    const { AWS_ACCESS_KEY_ID: _k, AWS_SECRET_ACCESS_KEY: _s, ...rest } = env;
    const run = await runCli(["chat", "q"], { env: { ...rest, AWS_SHARED_CREDENTIALS_FILE: "/nonexistent", AWS_CONFIG_FILE: "/nonexistent" } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: AWS credentials are missing .*Provide AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
    expect(run.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("help is printed with exit 0", async () => {
    const run = await chat(["--help"]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Usage: npm run --silent cli -- chat \[options\] \[MESSAGE\]/);
  });
});

describe("cli chat --attach", () => {
  const dir = mkdtempSync(join(tmpdir(), "chat-cli-attach-"));
  const write = (name: string, bytes: Uint8Array | string) => {
    const path = join(dir, name);
    writeFileSync(path, bytes);
    return path;
  };

  it("sends images and documents as Converse blocks, with the same detection, names and text block as the web", async () => {
    const png = write("chart.png", await files.png());
    const pdf = write(files.AWKWARD_NAME, files.pdf());
    const run = await chat(["--profile", "Amazon Nova Pro", "--attach", png, "--attach", pdf, "What is this?"]);
    expect(run.code, run.stderr).toBe(0);
    const content = (withoutCachePoints(emulator.requests[0]!.body)["messages"] as { content: Record<string, any>[] }[])[0]!.content;
    expect(content.map((b) => Object.keys(b)[0])).toEqual(["text", "image", "document"]);
    expect(content[2]!["document"]).toMatchObject({ format: "pdf", name: "Q3 report v2 (final)" });
    // Files only: the neutral text block beside the document.
    emulator.reset();
    expect((await chat(["--profile", "Amazon Nova Pro", "--attach", pdf], "\n\n")).code).toBe(0);
    expect((emulator.requests[0]!.body["messages"] as { content: Record<string, any>[] }[])[0]!.content[0]).toEqual({ text: "(See the attached files.)" });
  });

  it("refuses a file that is not what its name says, one the profile cannot take, and one over the limit: exit 2, nothing sent", async () => {
    const fake = await files.pngNamedPdf();
    const cases: [string[], RegExp][] = [
      [["--attach", write(fake.name, fake.bytes), "q"], /is a PNG image, not a PDF.*Nothing was sent\./],
      [["--profile", "Amazon Nova Micro", "--attach", write("photo.png", await files.png()), "q"], /photo\.png is an image, and profile "Amazon Nova Micro" does not take images; profiles that do: .*Nothing was sent\./],
      [["--attach", write("big.pdf", files.largePdf()), "q"], /big\.pdf is 5 MB; the model's limit for one document is 4\.5 MB/],
      [["--attach", write("huge.txt", files.largeText(2_000_000)), "q"], /huge\.txt is 2 MB; the largest file you can attach is 1 MB \(ATTACHMENT_MAX_MB\)/],
    ];
    for (const [args, message] of cases) {
      const run = await chat(args, undefined, args.some((a) => a.endsWith("huge.txt")) ? { ATTACHMENT_MAX_MB: "1" } : {});
      expect(run.code, run.stderr).toBe(2);
      expect(run.stderr).toMatch(message);
      expect(emulator.requests).toHaveLength(0);
    }
  });

  it("fits an image over Bedrock's limits and says so on stderr", async () => {
    const run = await chat(["--profile", "Amazon Nova Pro", "--attach", write("panorama.png", await files.widePng()), "describe"]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toMatch(/^note: panorama\.png was resized to 8,000 × \d+/m);
  });
});
