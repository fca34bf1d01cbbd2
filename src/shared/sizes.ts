/** File sizes as people read them. MB means 1,000,000 bytes throughout (as Bedrock's limits are written). */
export function formatSize(bytes: number): string {
  if (bytes < 1000) return `${bytes} bytes`;
  if (bytes < 1_000_000) return `${(bytes / 1000).toLocaleString("en-US", { maximumFractionDigits: 1 })} KB`;
  return `${(bytes / 1_000_000).toLocaleString("en-US", { maximumFractionDigits: 2 })} MB`;
}
