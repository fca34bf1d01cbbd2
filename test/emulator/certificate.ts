import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Certificate {
  key: string;
  /** PEM; self-signed, so it is also the CA a client must trust (the SDK's agent `ca`, or NODE_EXTRA_CA_CERTS). */
  cert: string;
}

let cached: Certificate | undefined;

/** A self-signed certificate for 127.0.0.1 and localhost, made once per process with Debian's openssl. */
export function selfSignedCertificate(): Certificate {
  if (cached) return cached;
  const dir = mkdtempSync(join(tmpdir(), "bedrock-emulator-tls-"));
  try {
    const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "key.pem", "-out", "cert.pem", "-days", "2", "-subj", "/CN=127.0.0.1"];
    args.push("-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost", "-addext", "extendedKeyUsage=serverAuth");
    const result = spawnSync("openssl", args, { cwd: dir, encoding: "utf8" });
    if (result.error || result.status !== 0) throw new Error(`openssl could not make the emulator's certificate (apt-get install openssl): ${result.error?.message ?? result.stderr}`);
    cached = { key: readFileSync(join(dir, "key.pem"), "utf8"), cert: readFileSync(join(dir, "cert.pem"), "utf8") };
    return cached;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
