import { ensureWebBuild } from "../../src/server/web-build.js";

/** The browser tests need the built web app. */
export default async function globalSetup(): Promise<void> {
  await ensureWebBuild();
}
