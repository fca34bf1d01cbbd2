import { useCallback, useEffect, useRef, useState } from "react";
import { api, ApiError } from "../../api/client.js";
import type { AttachmentInfo } from "../../api/types.js";
import { uploadFile } from "../../api/upload.js";
import { t } from "../../i18n/index.js";
import { checkFiles, type CheckContext, type FileKind } from "./attachment-checks.js";

/** A file attached to the message being written: uploading (with its progress) or uploaded (with its id). */
export interface PendingFile {
  key: string;
  name: string;
  size: number;
  /** From the name or type until the server has detected it by content. */
  kind: FileKind | null;
  format: string | null;
  /** An object URL of the image itself, for the chip's thumbnail (revoked when the chip goes). */
  preview: string | null;
  /** 0..1 of the bytes sent. */
  progress: number;
  /** The server's description once uploaded. */
  info: AttachmentInfo | null;
}

let nextKey = 0;

/**
 * The files of the message being written: checked before uploading (size, type, the profile), uploaded at once,
 * removable (an upload in progress is cancelled). Errors name the file; they never touch the typed text.
 */
export function usePendingFiles(context: CheckContext) {
  const [files, setFiles] = useState<PendingFile[]>([]);
  const [errors, setErrors] = useState<string[]>([]);
  const contextRef = useRef(context);
  contextRef.current = context;
  const filesRef = useRef(files);
  filesRef.current = files;
  const uploads = useRef(new Map<string, AbortController>());

  const update = (key: string, patch: Partial<PendingFile>) => setFiles((list) => list.map((f) => (f.key === key ? { ...f, ...patch } : f)));
  const drop = (key: string) => {
    uploads.current.get(key)?.abort();
    uploads.current.delete(key);
    setFiles((list) => {
      const gone = list.find((f) => f.key === key);
      if (gone?.preview) URL.revokeObjectURL(gone.preview);
      return list.filter((f) => f.key !== key);
    });
  };

  const add = useCallback((given: readonly File[]) => {
    if (given.length === 0) return;
    const { accepted, errors: refused } = checkFiles(
      given,
      filesRef.current.map((f) => f.info?.kind ?? f.kind),
      contextRef.current,
    );
    setErrors(refused);
    const added: PendingFile[] = accepted.map(({ file, kind, format }) => ({
      key: `f${++nextKey}`,
      name: file.name,
      size: file.size,
      kind,
      format,
      preview: kind === "image" ? URL.createObjectURL(file) : null,
      progress: 0,
      info: null,
    }));
    if (added.length === 0) return;
    setFiles((list) => [...list, ...added]);
    added.forEach((pending, i) => {
      const file = accepted[i]!.file;
      const controller = new AbortController();
      uploads.current.set(pending.key, controller);
      uploadFile(file, pending.name, { signal: controller.signal, onProgress: (sent, total) => update(pending.key, { progress: total ? sent / total : 0 }) }).then(
        (info) => {
          uploads.current.delete(pending.key);
          update(pending.key, { info, kind: info.kind, format: info.format, size: info.size, progress: 1 });
        },
        (error: unknown) => {
          uploads.current.delete(pending.key);
          if (error instanceof ApiError && error.code === "aborted") return;
          drop(pending.key);
          setErrors((list) => [...list, error instanceof ApiError ? error.message : `${pending.name}: ${t.errorGeneric}`]);
        },
      );
    });
  }, []);

  // An upload not sent yet is removed on the server too; a file already sent (an edit's) stays with its chat.
  const remove = useCallback((key: string) => {
    const info = filesRef.current.find((f) => f.key === key)?.info;
    if (info && !info.sent) void api.deleteAttachment(info.id).catch(() => undefined);
    drop(key);
  }, []);

  /** The message was sent with these files: the chips go (the uploads are the server's now). */
  const clear = useCallback(() => {
    setFiles((list) => {
      for (const f of list) if (f.preview) URL.revokeObjectURL(f.preview);
      return [];
    });
    setErrors([]);
  }, []);

  const dismissErrors = useCallback(() => setErrors([]), []);

  // Leaving the conversation cancels uploads still running and frees the thumbnails.
  useEffect(
    () => () => {
      for (const controller of uploads.current.values()) controller.abort();
      for (const f of filesRef.current) if (f.preview) URL.revokeObjectURL(f.preview);
    },
    [],
  );

  const uploading = files.some((f) => f.info === null);
  return { files, errors, add, remove, clear, dismissErrors, uploading };
}

export type PendingFiles = ReturnType<typeof usePendingFiles>;
