import { spawn, type ChildProcess } from "node:child_process";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");

/**
 * Starts the Bedrock emulator in its own process (so its work does not count against the client measured). With
 * `--tls` in args, `caFile` is its self-signed certificate.
 */
export async function startEmulatorProcess(args: string[]): Promise<{ url: string; caFile?: string; child: ChildProcess; stop: () => void }> {
  const child = spawn(join(ROOT, "node_modules", ".bin", "tsx"), [join(ROOT, "test", "emulator", "main.ts"), ...args], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const match = /AWS_ENDPOINT_URL_BEDROCK_RUNTIME=(\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once("exit", (code) => reject(new Error(`emulator exited with ${code}`)));
    setTimeout(() => reject(new Error("emulator did not start within 20 s")), 20_000).unref();
  });
  const caFile = /EMULATOR_CA_FILE=(\S+)/.exec(out)?.[1];
  return { url, ...(caFile ? { caFile } : {}), child, stop: () => child.kill("SIGTERM") };
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export const fmt = (n: number, digits = 2) => n.toFixed(digits);
