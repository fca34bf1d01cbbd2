/**
 * A user's display preferences, kept on the server per user (every device shows the same): not a thread's model
 * settings. The web reads them with GET /api/preferences and changes them with PATCH. No zod here: the web app
 * imports this module (the server's schema is in src/server/schemas.ts).
 */
export interface Preferences {
  /** Show each answer's tokens and cost, and the thread's total. */
  showCost: boolean;
  /** Decimals of the costs shown (COST_PRECISION). */
  costPrecision: number;
  /** The profile of the last chat started (the next new chat's default). */
  lastProfile: string | null;
  /** Whether the thread list is collapsed on a wide screen. */
  sidebarCollapsed: boolean;
}

/** A change: any subset (absent or undefined fields stay as they are). */
export type PreferencesPatch = { [K in keyof Preferences]?: Preferences[K] | undefined };

export const COST_PRECISION = { min: 1, max: 10, default: 4 } as const;

export const DEFAULT_PREFERENCES: Preferences = { showCost: false, costPrecision: COST_PRECISION.default, lastProfile: null, sidebarCollapsed: false };
