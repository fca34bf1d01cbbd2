import type { TestProject } from "vitest/node";
import { findPostgresBin, startPostgres, type TestPostgres } from "../helpers/postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** URL of the throwaway PostgreSQL cluster, or "" when PostgreSQL is not installed. */
    postgresUrl: string;
  }
}

let cluster: TestPostgres | undefined;

/**
 * Vitest global setup: one throwaway PostgreSQL cluster for the run (test files create their own databases in it).
 * Without PostgreSQL the PostgreSQL suites are skipped with a notice, unless REQUIRE_PG=1 (CI).
 */
export async function setup(project: TestProject): Promise<void> {
  const bin = findPostgresBin();
  if (!bin) {
    if (process.env["REQUIRE_PG"] === "1") throw new Error("REQUIRE_PG=1 but PostgreSQL is not installed (apt-get install postgresql).");
    console.warn("\nNOTICE: PostgreSQL suites skipped: /usr/lib/postgresql/*/bin/initdb not found (apt-get install postgresql to run them).\n");
    project.provide("postgresUrl", "");
    return;
  }
  cluster = await startPostgres(bin);
  project.provide("postgresUrl", cluster.url);
}

export async function teardown(): Promise<void> {
  cluster?.stop();
}
