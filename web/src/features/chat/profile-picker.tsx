import type { Profile } from "../../api/types.js";
import { t } from "../../i18n/index.js";
import styles from "./chat.module.css";

/** The chat profile combobox, with the chosen profile's capabilities as badges. */
export function ProfilePicker(props: { profiles: Profile[]; value: string; onChange: (name: string) => void; disabled?: boolean }) {
  const current = props.profiles.find((p) => p.name === props.value);
  const badges: string[] = current
    ? [
        current.capabilities.vision && t.badgeVision,
        current.capabilities.document && t.badgeDocument,
        current.capabilities.tool && t.badgeTool,
        current.capabilities.reasoning !== "none" && t.badgeReasoning,
      ].filter((b): b is NonNullable<typeof b> & string => typeof b === "string")
    : [];
  return (
    <div className={styles.picker}>
      <select aria-label={t.chatProfile} value={props.value} disabled={props.disabled} onChange={(e) => props.onChange(e.target.value)}>
        {props.profiles.map((p) => (
          <option key={p.name} value={p.name}>
            {p.name}
          </option>
        ))}
      </select>
      <ul className={styles.badges} aria-label={`${props.value}: ${badges.join(", ")}`}>
        {badges.map((b) => (
          <li key={b} className={styles.badge}>
            {b}
          </li>
        ))}
      </ul>
    </div>
  );
}
