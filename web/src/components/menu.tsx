import { useEffect, useRef, useState, type KeyboardEvent } from "react";
import styles from "./controls.module.css";

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
}

/** A button that opens a menu (role menu / menuitem) with arrow-key navigation and Esc to close. */
export function MenuButton(props: { label: string; icon: string; items: MenuItem[]; className?: string | undefined; heading?: string; up?: boolean }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!open) return;
    (menu.current?.querySelector("[role=menuitem]") as HTMLElement | null)?.focus();
    const onDown = (e: MouseEvent) => {
      if (!menu.current?.contains(e.target as Node) && !button.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);
  const onKey = (e: KeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? [])];
    const index = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === "Escape") {
      setOpen(false);
      button.current?.focus();
    } else if (e.key === "ArrowDown") {
      e.preventDefault();
      items[(index + 1) % items.length]?.focus();
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      items[(index - 1 + items.length) % items.length]?.focus();
    } else if (e.key === "Tab") setOpen(false);
  };
  return (
    <div className={styles.menuWrap}>
      <button ref={button} type="button" aria-label={props.label} aria-haspopup="menu" aria-expanded={open} className={props.className ?? styles.iconButton} onClick={() => setOpen(!open)}>
        {props.icon}
      </button>
      {open ? (
        <div ref={menu} role="menu" aria-label={props.label} className={`${styles.menu} ${props.up ? styles.menuUp : ""}`} onKeyDown={onKey}>
          {props.heading ? (
            <div role="presentation" className={styles.menuHeading}>
              {props.heading}
            </div>
          ) : null}
          {props.items.map((item) => (
            <button
              key={item.label}
              type="button"
              role="menuitem"
              tabIndex={-1}
              className={`${styles.menuItem} ${item.danger ? styles.danger : ""}`}
              onClick={() => {
                setOpen(false);
                item.onSelect();
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      ) : null}
    </div>
  );
}
