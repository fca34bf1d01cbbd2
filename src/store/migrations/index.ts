import type { Migration, MigrationProvider } from "kysely/migration";
import * as m001 from "./001-initial.js";
import * as m002 from "./002-search.js";

/** Versioned migrations, applied in name order at start-up. Never edit one that has shipped: add the next. */
export const migrations: MigrationProvider = {
  async getMigrations(): Promise<Record<string, Migration>> {
    return { "001-initial": m001, "002-search": m002 };
  },
};
