import controls from "../../components/controls.module.css";
import { Dialog } from "../../components/dialog.js";
import { t } from "../../i18n/index.js";
import styles from "./chat.module.css";
import { keysOf, SHORTCUTS, type ShortcutAction } from "./shortcuts.js";

const LABELS: Record<ShortcutAction, string> = {
  newChat: t.shortcutNewChat,
  focusComposer: t.shortcutFocusComposer,
  searchThreads: t.shortcutSearch,
  copyLastAnswer: t.shortcutCopyLast,
  showShortcuts: t.shortcutShow,
};

/** "Keyboard shortcuts" (Ctrl/Cmd + /): every shortcut of the table, written for this keyboard. */
export function ShortcutsDialog(props: { onClose: () => void; mac: boolean }) {
  const rows: { label: string; keys: string[] }[] = [...SHORTCUTS.map((s) => ({ label: LABELS[s.action], keys: keysOf(s, props.mac) })), { label: t.shortcutStop, keys: ["Esc"] }, { label: t.shortcutNewLine, keys: ["Shift", "Enter"] }];
  return (
    <Dialog
      title={t.keyboardShortcuts}
      open
      onClose={props.onClose}
      footer={
        <button type="button" className={controls.primary} onClick={props.onClose}>
          {t.close}
        </button>
      }
    >
      <table className={styles.shortcuts}>
        <tbody>
          {rows.map((row) => (
            <tr key={row.label}>
              <th scope="row">{row.label}</th>
              <td>
                {row.keys.map((key, i) => (
                  <span key={key}>
                    {i > 0 ? " + " : null}
                    <kbd>{key}</kbd>
                  </span>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </Dialog>
  );
}
