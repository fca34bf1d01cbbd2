import { en } from "./en.js";

/** The active catalogue. English only for now; a translation adds a file and picks it here by navigator.language. */
export const t = en;
