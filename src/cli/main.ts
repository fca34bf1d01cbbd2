#!/usr/bin/env node
import { EnvError } from "../config/env.js";
import { ConfigError } from "../config/errors.js";
import { ChatError, SettingsError } from "../engine/errors.js";
import { UsageError } from "./chat-args.js";

// The pinned AWS SDK works on Node 20; its notice about future releases would break the one-line stderr contract.
process.env["AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED"] ??= "true";

const HELP = `Usage: npm run --silent cli -- <command> [options]

Commands:
  chat    talk to a Bedrock model from the terminal (chat --help for its options)
  users   manage accounts: add, list, disable, enable, reset-password, role (users --help)`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr };
  switch (command) {
    // Each command loads only what it needs (chat: the AWS SDK, sharp, MCP; users: the database), so a start stays quick.
    case "chat":
      return (await import("./chat.js")).chatCommand(rest, io);
    case "users":
      return (await import("./users.js")).usersCommand(rest, io);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(`${HELP}\n`);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command "${command}"\n${HELP}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || error instanceof SettingsError) {
      process.stderr.write(`usage error: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof ConfigError || error instanceof ChatError || error instanceof EnvError) {
      process.stderr.write(`error: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`error: unexpected failure: ${(error as Error)?.stack ?? String(error)}\n`);
      process.exitCode = 1;
    }
  },
);
