import { inject } from "vitest";
import { openDatabase, type Db } from "../../src/store/db.js";
import { createTestDatabase } from "./postgres.js";

export interface DatabaseKind {
  name: "sqlite" | "postgres";
  /** False when PostgreSQL is not installed here (the suite is then skipped with a notice). */
  available: boolean;
  /** A location for openDatabase: ":memory:" or the URL of a fresh PostgreSQL database. */
  location(): Promise<string>;
  open(): Promise<Db>;
}

const postgresUrl = inject("postgresUrl");

/** Both storage engines, for suites that must behave the same on each (`describe.each(databases)`). */
export const databases: DatabaseKind[] = [
  { name: "sqlite", available: true, location: async () => ":memory:", open: () => openDatabase(":memory:") },
  {
    name: "postgres",
    available: postgresUrl !== "",
    location: () => createTestDatabase(postgresUrl),
    open: async () => openDatabase(await createTestDatabase(postgresUrl)),
  },
];
