import { Decimal } from "decimal.js";
import { sql } from "kysely";
import { dialectOf, type Db, type Dialect } from "../../store/db.js";
import { admissionFacts, monthStart, reservedByRunning, spentSince } from "../../store/usage.js";
import { HttpError } from "../http-errors.js";

export interface LimitDefaults {
  /** Answers a user may start per minute. */
  ratePerMinute: number;
  /** Monthly spending cap in USD (exact decimal text); null: none. */
  monthlyCap: string | null;
}

const dollars = (amount: Decimal.Value) => `$${new Decimal(amount).toFixed(2)}`;

/**
 * Per-user limits, checked before Bedrock is called: answers per minute and the monthly spending cap (the
 * account's own values, else the server defaults). They are checked inside the transaction that starts the answer
 * (`admit`), holding a per-user lock, so parallel requests cannot all pass a check that only one of them should:
 * counted in the database, they hold across instances too.
 */
export class UsageLimits {
  private readonly dialect: Dialect;

  constructor(
    private readonly db: Db,
    private readonly defaults: LimitDefaults,
    private readonly clock: () => Date,
  ) {
    this.dialect = dialectOf(db);
  }

  /**
   * Admits one more answer for `userId`, in the transaction `tx` that then records its start (with `reservedCost`,
   * its worst-case cost, so that answers still running count against the cap until they settle at their end).
   */
  async admit(tx: Db, userId: string, reservedCost: string | null): Promise<void> {
    // PostgreSQL: the user's row is the lock; a parallel start of the same user waits here until this one commits.
    // SQLite: one connection runs one transaction at a time, so the transaction is the lock.
    if (this.dialect === "postgres") await sql`SELECT id FROM users WHERE id = ${userId} FOR UPDATE`.execute(tx);
    const now = this.clock();
    const account = await admissionFacts(tx, userId, new Date(now.getTime() - 60_000));
    const rate = account.ratePerMinute ?? this.defaults.ratePerMinute;
    const recent = account.recent;
    if (recent >= rate) {
      throw new HttpError(429, "rate_limited", `You have started ${recent} answers in the last minute, the most allowed is ${rate}. Wait a minute and send again; your message is kept.`);
    }
    const cap = account.monthlyCap ?? this.defaults.monthlyCap;
    if (cap === null) return;
    const spent = new Decimal(await spentSince(tx, userId, monthStart(now)));
    const reserved = new Decimal(await reservedByRunning(tx, userId));
    if (spent.plus(reserved).gte(cap)) {
      const running = reserved.gt(0) ? ` (${dollars(reserved)} of it held by answers still running)` : "";
      throw new HttpError(
        402,
        "spending_cap",
        `You have spent ${dollars(spent.plus(reserved))} this month${running}, which reaches your monthly cap of ${dollars(cap)}. Ask an administrator to raise it, or wait until the 1st.`,
      );
    }
    if (reservedCost !== null && spent.plus(reserved).plus(reservedCost).gt(cap)) {
      throw new HttpError(
        402,
        "spending_cap",
        `This answer could cost up to ${dollars(new Decimal(reservedCost).toDecimalPlaces(2, Decimal.ROUND_UP))} (its prompt and max tokens), and with ${dollars(spent)} spent this month${reserved.gt(0) ? ` and ${dollars(reserved)} held by answers still running` : ""} that could pass your monthly cap of ${dollars(cap)}. Lower Max tokens in Settings, start a new chat, wait for running answers to finish, or ask an administrator to raise the cap.`,
      );
    }
  }
}
