import { Decimal } from "decimal.js";
import type { Db } from "../../store/db.js";
import { generationsSince, monthStart, spentSince } from "../../store/usage.js";
import { getAccount } from "../../store/users.js";
import { HttpError } from "../http-errors.js";

export interface LimitDefaults {
  /** Answers a user may start per minute. */
  ratePerMinute: number;
  /** Monthly spending cap in USD (exact decimal text); null: none. */
  monthlyCap: string | null;
}

/**
 * Per-user limits, checked before Bedrock is called: answers per minute and the monthly spending cap (the
 * account's own values, else the server defaults). Counted in the database, so they hold across instances.
 */
export class UsageLimits {
  constructor(
    private readonly db: Db,
    private readonly defaults: LimitDefaults,
    private readonly clock: () => Date,
  ) {}

  async check(userId: string): Promise<void> {
    const account = await getAccount(this.db, userId);
    const now = this.clock();
    const rate = account?.ratePerMinute ?? this.defaults.ratePerMinute;
    const recent = await generationsSince(this.db, userId, new Date(now.getTime() - 60_000));
    if (recent >= rate) {
      throw new HttpError(429, "rate_limited", `You have started ${recent} answers in the last minute, the most allowed is ${rate}. Wait a minute and send again; your message is kept.`);
    }
    const cap = account?.monthlyCap ?? this.defaults.monthlyCap;
    if (cap === null) return;
    const spent = await spentSince(this.db, userId, monthStart(now));
    if (new Decimal(spent).gte(cap)) {
      throw new HttpError(
        402,
        "spending_cap",
        `You have spent $${new Decimal(spent).toFixed(2)} this month, which reaches your monthly cap of $${new Decimal(cap).toFixed(2)}. Ask an administrator to raise it, or wait until the 1st.`,
      );
    }
  }
}
