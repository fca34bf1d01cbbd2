import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Response } from "@playwright/test";
import { ROOT } from "../../src/server/web-build.js";
import { expect, test } from "./fixtures.js";

/** Static assets (issue 12): what the browser receives on its first load, as it came over the wire. */

const dist = join(ROOT, "web", "dist");

/** The main script and stylesheet index.html loads. */
function initialAssets(): { script: string; css: string } {
  const html = readFileSync(join(dist, "index.html"), "utf8");
  return {
    script: html.match(/<script type="module"[^>]* src="\/(assets\/[^"]+\.js)"/)![1]!,
    css: html.match(/<link rel="stylesheet"[^>]* href="\/(assets\/[^"]+\.css)"/)![1]!,
  };
}

test("the first load gets the main script and CSS brotli-compressed, fewer bytes on the wire than the files, cached as immutable", async ({ chat, page }) => {
  const { script, css } = initialAssets();
  const responses: Response[] = [];
  page.on("response", (response) => responses.push(response));
  await chat.open();
  const byPath = (path: string) => responses.find((r) => new URL(r.url()).pathname === path);

  for (const file of [script, css]) {
    const response = byPath(`/${file}`);
    expect(response, file).toBeDefined();
    const headers = await response!.allHeaders();
    expect(headers["content-encoding"], file).toBe("br");
    expect(headers["vary"], file).toMatch(/accept-encoding/i);
    expect(headers["cache-control"], file).toBe("public, max-age=31536000, immutable");
    const { responseBodySize } = await response!.request().sizes();
    const raw = statSync(join(dist, file)).size;
    const brotli = statSync(join(dist, `${file}.br`)).size;
    // On the wire: the .br file's bytes (give or take chunk framing), well under the file itself.
    expect(responseBodySize, file).toBeLessThan(raw / 2);
    expect(Math.abs(responseBodySize - brotli), file).toBeLessThan(64);
    // And the browser decoded it: the body it hands the page is the file.
    expect((await response!.body()).length, file).toBe(raw);
  }

  const page0 = byPath("/")!;
  expect((await page0.allHeaders())["cache-control"]).toBe("no-cache");
  // The app's own JSON (the profiles, over 1 KB) came compressed too.
  const profiles = byPath("/api/profiles");
  expect(profiles).toBeDefined();
  expect((await profiles!.allHeaders())["content-encoding"]).toBe("br");
});
