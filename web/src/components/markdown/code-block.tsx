import { memo, useEffect, useState } from "react";
import { t } from "../../i18n/index.js";
import { copyText } from "../copy.js";
import styles from "./markdown.module.css";
import { highlight } from "./highlight.js";

/** A fenced code block with its language, a Copy code button, and highlighting once the code is complete. */
export const CodeBlock = memo(function CodeBlock(props: { code: string; lang?: string | undefined; streaming: boolean }) {
  const [html, setHtml] = useState<string | undefined>();
  const [copied, setCopied] = useState(false);
  useEffect(() => {
    if (props.streaming) return;
    let live = true;
    void highlight(props.code, props.lang).then((h) => live && setHtml(h));
    return () => {
      live = false;
    };
  }, [props.code, props.lang, props.streaming]);
  return (
    <div className={styles.code}>
      <div className={styles.codeHead}>
        <span>{props.lang ?? "text"}</span>
        <button
          type="button"
          className={styles.copyCode}
          onClick={() => {
            void copyText(props.code).then(() => {
              setCopied(true);
              setTimeout(() => setCopied(false), 1500);
            });
          }}
        >
          {copied ? t.copied : t.copyCode}
        </button>
      </div>
      <pre>{html && !props.streaming ? <code className="hljs" dangerouslySetInnerHTML={{ __html: html }} /> : <code>{props.code}</code>}</pre>
    </div>
  );
});
