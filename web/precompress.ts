import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";
import type { Plugin } from "vite";

const brotli = promisify(brotliCompress);
const gzipAsync = promisify(gzip);

/** Formats worth compressing; raster images, woff/woff2 fonts (compressed inside) and archives are left as they are. */
export const COMPRESSIBLE = /\.(?:html|js|mjs|css|svg|json|webmanifest|map|txt|xml|wasm|ttf|otf|ico)$/;
/** Below this a compressed copy saves less than the bytes of a response's headers. */
export const MIN_BYTES = 1024;

/**
 * After the build, writes `name.br` (brotli, quality 11) and `name.gz` (gzip, level 9) beside every compressible
 * file of the output of at least MIN_BYTES, each only when it is smaller than the file. The server sends them as
 * they are (`@fastify/static`'s `preCompressed`), so no request pays for compressing the bundle.
 */
export function precompress(): Plugin {
  let outDir = "";
  return {
    name: "precompress",
    apply: "build",
    configResolved(config) {
      outDir = resolve(config.root, config.build.outDir);
    },
    async writeBundle() {
      const files = (await readdir(outDir, { recursive: true })).map(String).filter((f) => COMPRESSIBLE.test(f));
      await Promise.all(files.map((file) => compressFile(join(outDir, file))));
    },
  };
}

async function compressFile(path: string): Promise<void> {
  if ((await stat(path)).size < MIN_BYTES) return;
  const bytes = await readFile(path);
  const [br, gz] = await Promise.all([
    brotli(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY, [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length } }),
    gzipAsync(bytes, { level: constants.Z_BEST_COMPRESSION }),
  ]);
  await Promise.all([br.length < bytes.length ? writeFile(`${path}.br`, br) : undefined, gz.length < bytes.length ? writeFile(`${path}.gz`, gz) : undefined]);
}
