import { ApiError } from "./client.js";
import type { AttachmentInfo } from "./types.js";

/**
 * Uploads one file (POST /api/attachments, multipart, field `file`). XMLHttpRequest rather than fetch: only it
 * reports upload progress. `onProgress` gets the bytes sent and the total; aborting `signal` cancels the upload.
 * Errors are ApiErrors with the server's message (which names the file), or code "network" / "aborted".
 */
export function uploadFile(file: Blob, fileName: string, options: { onProgress?: (sent: number, total: number) => void; signal?: AbortSignal } = {}): Promise<AttachmentInfo> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    const abort = () => xhr.abort();
    if (options.signal?.aborted) {
      reject(new ApiError(0, "aborted", `The upload of ${fileName} was cancelled.`));
      return;
    }
    options.signal?.addEventListener("abort", abort, { once: true });
    const done = () => options.signal?.removeEventListener("abort", abort);
    xhr.open("POST", "/api/attachments");
    xhr.setRequestHeader("x-requested-with", "fetch");
    xhr.responseType = "text";
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) options.onProgress?.(e.loaded, e.total);
    };
    xhr.onload = () => {
      done();
      let data: unknown;
      try {
        data = xhr.responseText ? JSON.parse(xhr.responseText) : undefined;
      } catch {
        data = undefined;
      }
      if (xhr.status === 201) {
        resolve((data as { attachment: AttachmentInfo }).attachment);
        return;
      }
      if (xhr.status === 401) dispatchEvent(new Event("session-ended"));
      const error = (data as { error?: { code: string; message: string } } | undefined)?.error;
      reject(new ApiError(xhr.status, error?.code ?? "http_error", error?.message ?? `${fileName} could not be uploaded: the server answered ${xhr.status}.`));
    };
    xhr.onerror = () => {
      done();
      reject(new ApiError(0, "network", `${fileName} could not be uploaded: cannot reach the server. Check your connection and attach it again.`));
    };
    xhr.onabort = () => {
      done();
      reject(new ApiError(0, "aborted", `The upload of ${fileName} was cancelled.`));
    };
    const form = new FormData();
    form.append("file", file, fileName);
    xhr.send(form);
  });
}
