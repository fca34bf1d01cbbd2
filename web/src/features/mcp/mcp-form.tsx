import { useEffect, useRef, type ReactNode } from "react";
import { ApiError } from "../../api/client.js";
import { FormError } from "../../components/form-error.js";
import { t } from "../../i18n/index.js";
import styles from "./mcp.module.css";
import { plainMcpError } from "./mcp-text.js";

/** Why an MCP request failed, in the dialog's plain words (the server's own prefix removed). */
export const failureText = (error: unknown) => plainMcpError(error instanceof ApiError || error instanceof Error ? error.message : t.errorGeneric);

/** A form's error and its buttons, scrolled into sight when an error appears (the dialog's body scrolls). */
export function ErrorAndButtons(props: { message: string | null; children: ReactNode }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (props.message) ref.current?.scrollIntoView({ block: "nearest" });
  }, [props.message]);
  return (
    <div ref={ref} className={styles.formEnd}>
      <FormError message={props.message} />
      <div className={styles.buttons}>{props.children}</div>
    </div>
  );
}
