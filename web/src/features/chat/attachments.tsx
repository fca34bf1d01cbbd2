import { createContext, useContext, useEffect, useRef, useState } from "react";
import type { AttachmentInfo, DocumentPart, ImagePart } from "../../api/types.js";
import { formatSize } from "../../../../src/shared/sizes.js";
import { t } from "../../i18n/index.js";
import styles from "./attachments.module.css";

/** The files of the open thread by id (ThreadDetail.attachments): names, sizes, download URLs. */
export const AttachmentsContext = createContext<ReadonlyMap<string, AttachmentInfo>>(new Map());

const formatLabel = (format: string) => (format === "webp" ? "WebP" : format.toUpperCase());

export function PaperclipIcon() {
  return (
    <svg aria-hidden="true" viewBox="0 0 24 24" width="18" height="18" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d="m21.44 11.05-9.19 9.19a6 6 0 0 1-8.49-8.49l8.57-8.57A4 4 0 1 1 18 8.84l-8.59 8.57a2 2 0 0 1-2.83-2.83l8.49-8.48" />
    </svg>
  );
}

function DocumentIcon({ format }: { format: string }) {
  return (
    <span className={styles.docIcon} aria-hidden="true">
      <svg viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" strokeWidth="1.8" strokeLinecap="round" strokeLinejoin="round">
        <path d="M14 2H6a2 2 0 0 0-2 2v16a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8z" />
        <path d="M14 2v6h6" />
      </svg>
      <span className={styles.docFormat}>{format.slice(0, 4).toUpperCase()}</span>
    </span>
  );
}

function DownloadIcon() {
  return (
    <svg aria-hidden="true" className={styles.downloadIcon} viewBox="0 0 24 24" width="16" height="16" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round" strokeLinejoin="round">
      <path d="M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4" />
      <path d="m7 10 5 5 5-5" />
      <path d="M12 15V3" />
    </svg>
  );
}

/**
 * A file attached to a message being written (the composer's, or an edit's): thumbnail or icon, name, size,
 * the upload's progress bar (named after the file) while it uploads, a notice from the server, and Remove.
 */
export function FileChip(props: {
  name: string;
  size: number | null;
  format: string | null;
  thumbnail: string | null;
  /** 0..1 while uploading; null once uploaded. */
  progress: number | null;
  notice: string | null;
  onRemove: () => void;
}) {
  const percent = props.progress === null ? null : Math.round(props.progress * 100);
  return (
    <li className={styles.chip} data-uploading={percent !== null || undefined}>
      <div className={styles.chipMain}>
        {props.thumbnail ? <img className={styles.chipThumb} src={props.thumbnail} alt="" /> : <DocumentIcon format={props.format ?? "file"} />}
        <div className={styles.chipText}>
          <span className={styles.chipName} title={props.name}>
            {props.name}
          </span>
          <span className={styles.chipMeta}>
            {percent !== null ? t.fileUploading(percent) : props.size !== null ? (props.format ? t.fileMeta(formatSize(props.size), formatLabel(props.format)) : formatSize(props.size)) : null}
          </span>
          {percent !== null ? (
            <div role="progressbar" aria-label={props.name} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} className={styles.progress}>
              <div className={styles.progressBar} style={{ width: `${percent}%` }} />
            </div>
          ) : null}
        </div>
        <button type="button" className={styles.remove} aria-label={t.removeFile(props.name)} title={t.removeFile(props.name)} onClick={props.onRemove}>
          ×
        </button>
      </div>
      {props.notice ? <p className={styles.chipNotice}>{props.notice}</p> : null}
    </li>
  );
}

/** What a message's file part shows: from the thread's metadata when it has it, else from the part itself. */
function describe(part: ImagePart | DocumentPart, files: ReadonlyMap<string, AttachmentInfo>) {
  const id = part.source.type === "attachment" ? part.source.id : null;
  const info = id ? files.get(id) : undefined;
  const name = info?.fileName ?? part.fileName ?? (part.type === "document" ? part.name : t.imageChip(formatLabel(part.format)));
  const url = info?.url ?? (id ? `/api/attachments/${encodeURIComponent(id)}` : part.source.type === "bytes" && part.type === "image" ? `data:image/${part.format};base64,${part.source.data}` : null);
  return { id, info, name, url };
}

/** The files of an edited message, kept or removed (as chips with Remove). */
export function EditFiles(props: { parts: readonly (ImagePart | DocumentPart)[]; onRemove: (part: ImagePart | DocumentPart) => void }) {
  const files = useContext(AttachmentsContext);
  if (props.parts.length === 0) return null;
  return (
    <ul className={styles.chips} aria-label={t.attachedFiles}>
      {props.parts.map((part, i) => {
        const { name, url, info } = describe(part, files);
        return (
          <FileChip
            key={i}
            name={name}
            size={info?.size ?? null}
            format={part.format}
            thumbnail={part.type === "image" ? url : null}
            progress={null}
            notice={null}
            onRemove={() => props.onRemove(part)}
          />
        );
      })}
    </ul>
  );
}

/** Files next to each other in a message: a row of thumbnails and document chips. */
export function MessageFiles(props: { parts: readonly (ImagePart | DocumentPart)[] }) {
  return (
    <div className={styles.messageFiles}>
      {props.parts.map((part, i) => (
        <MessageFile key={i} part={part} />
      ))}
    </div>
  );
}

const THUMB_W = 240;
const THUMB_H = 160;

function MessageFile({ part }: { part: ImagePart | DocumentPart }) {
  const files = useContext(AttachmentsContext);
  const { name, url, info } = describe(part, files);
  if (!url) {
    // A file Bedrock reads from S3 itself and the web cannot show: its name.
    return <span className={styles.plainChip}>{part.type === "image" ? name : t.documentChip(name, formatLabel(part.format))}</span>;
  }
  if (part.type === "image") return <ImageThumb name={name} url={url} width={info?.width ?? null} height={info?.height ?? null} />;
  return (
    <a className={styles.docChip} href={url} download={name} aria-label={t.downloadFile(name)} title={t.downloadFile(name)}>
      <DocumentIcon format={part.format} />
      <span className={styles.chipText}>
        <span className={styles.chipName}>{name}</span>
        <span className={styles.chipMeta}>{info ? t.fileMeta(formatSize(info.size), formatLabel(part.format)) : formatLabel(part.format)}</span>
      </span>
      <DownloadIcon />
    </a>
  );
}

/** An image of a message: a thumbnail (sized from its metadata, so the page does not jump) that opens full size. */
function ImageThumb(props: { name: string; url: string; width: number | null; height: number | null }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const scale = props.width && props.height ? Math.min(1, THUMB_W / props.width, THUMB_H / props.height) : null;
  const size = scale && props.width && props.height ? { width: Math.max(1, Math.round(props.width * scale)), height: Math.max(1, Math.round(props.height * scale)) } : null;
  return (
    <>
      <button ref={button} type="button" className={styles.thumb} aria-label={t.viewImage(props.name)} title={props.name} onClick={() => setOpen(true)}>
        <img src={props.url} alt={props.name} loading="lazy" decoding="async" {...(size ? { ...size, style: size } : {})} />
      </button>
      {open ? (
        <ImageViewer
          name={props.name}
          url={props.url}
          onClose={() => {
            setOpen(false);
            button.current?.focus();
          }}
        />
      ) : null}
    </>
  );
}

/** The image full size, in a modal dialog named after the file: Esc or Close closes it, focus goes back. */
function ImageViewer(props: { name: string; url: string; onClose: () => void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const closeButton = useRef<HTMLButtonElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    closeButton.current?.focus();
  }, []);
  return (
    <dialog
      ref={ref}
      aria-label={props.name}
      className={styles.viewer}
      onClose={props.onClose}
      onClick={(e) => {
        if (e.target === ref.current) ref.current.close();
      }}
    >
      <div className={styles.viewerHead}>
        <span className={styles.viewerName}>{props.name}</span>
        <a className={styles.viewerAction} href={props.url} download={props.name}>
          {t.download}
        </a>
        <button ref={closeButton} type="button" className={styles.viewerAction} onClick={() => ref.current?.close()}>
          {t.close}
        </button>
      </div>
      <img className={styles.viewerImage} src={props.url} alt={props.name} />
    </dialog>
  );
}

/** Over the conversation while files are dragged onto it. */
export function DropZone() {
  return (
    <div className={styles.dropZone} aria-hidden="true">
      <div className={styles.dropInner}>
        <PaperclipIcon />
        <strong>{t.dropFiles}</strong>
        <span>{t.dropFilesHint}</span>
      </div>
    </div>
  );
}
