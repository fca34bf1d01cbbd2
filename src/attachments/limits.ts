/**
 * Bedrock's limits for files in one Converse request (reference/bedrock-api.md, 1.3 "Limits and cross-field
 * rules"): at most 20 images, each at most 3.75 MB and 8,000 px per side; at most 5 documents, each at most 4.5 MB.
 *
 * MB means 1,000,000 bytes here, as everywhere in this app. Bedrock writes "3.75 MB" and "4.5 MB" without saying
 * which megabyte it means; the decimal reading (3,750,000 and 4,500,000 bytes) is also the safe one, since it is
 * smaller than the binary reading (3.75 MiB = 3,932,160 bytes), so a file within these limits fits either way.
 *
 * No Node or browser dependency: the server, the CLI, the web app and the tests can all import it.
 */
import { REQUEST_FILE_LIMITS } from "../engine/attachment-rules.js";

/** One megabyte as this app counts it. */
export const MB = 1_000_000;

/** Largest image (its bytes, as sent) Bedrock takes: 3.75 MB. */
export const IMAGE_MAX_BYTES = 3_750_000;
/** Largest width and largest height of an image Bedrock takes, in pixels (each side, so at most 8,000 × 8,000). */
export const IMAGE_MAX_PIXELS = 8_000;
/** Largest document (its bytes) Bedrock takes: 4.5 MB. */
export const DOCUMENT_MAX_BYTES = 4_500_000;
/** Most images in one request, history included (the engine's rule, one number for everyone). */
export const MAX_IMAGES = REQUEST_FILE_LIMITS.images;
/** Most documents in one request, history included. */
export const MAX_DOCUMENTS = REQUEST_FILE_LIMITS.documents;
