import type { Kysely } from "kysely";
import type { Migration, MigrationProvider } from "kysely/migration";
import type { Dialect } from "../db.js";
import * as m001 from "./001-initial.js";
import * as m002 from "./002-search.js";
import * as m003 from "./003-accounts.js";
import * as m004 from "./004-generation-heartbeat.js";
import * as m005 from "./005-search-prefix-index.js";
import * as m006 from "./006-search-keyed-rows.js";
import * as m007 from "./007-security.js";
import * as m008 from "./008-preferences.js";
import * as m009 from "./009-attachments.js";
import * as m010 from "./010-mcp-servers.js";
import * as m011 from "./011-mcp-oauth.js";
import * as m012 from "./012-tool-calls.js";
import * as m013 from "./013-tool-permissions.js";
import * as m014 from "./014-mcp-server-sources.js";
import * as m015 from "./015-prompts.js"; // issue 13: system prompts
import * as m016 from "./016-thread-organize.js"; // threads (issue 12)
import * as m017 from "./017-prompt-caching.js"; // prompt caching (issue 15)

/** A migration whose DDL differs per database engine. */
export interface DialectMigration {
  up(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
  down(db: Kysely<unknown>, dialect: Dialect): Promise<void>;
}

/**
 * Versioned migrations, applied in name order at start-up, the same list on SQLite and PostgreSQL (dialect-specific
 * DDL only where it must be). Never edit one that has shipped: add the next.
 */
export function migrationsFor(dialect: Dialect): MigrationProvider {
  const bind = (m: DialectMigration): Migration => ({ up: (db) => m.up(db, dialect), down: (db) => m.down(db, dialect) });
  return {
    async getMigrations(): Promise<Record<string, Migration>> {
      return { "001-initial": bind(m001), "002-search": bind(m002), "003-accounts": bind(m003), "004-generation-heartbeat": bind(m004), "005-search-prefix-index": bind(m005), "006-search-keyed-rows": bind(m006), "007-security": bind(m007), "008-preferences": bind(m008), "009-attachments": bind(m009), "010-mcp-servers": bind(m010), "011-mcp-oauth": bind(m011), "012-tool-calls": bind(m012), "013-tool-permissions": bind(m013), "014-mcp-server-sources": bind(m014), "015-prompts": bind(m015), "016-thread-organize": bind(m016), "017-prompt-caching": bind(m017) };
    },
  };
}
