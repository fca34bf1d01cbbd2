import { useEffect, useImperativeHandle, useRef, useState, type KeyboardEvent, type Ref } from "react";
import styles from "./controls.module.css";

export interface MenuItem {
  label: string;
  onSelect: () => void;
  danger?: boolean;
}

/** Opens the menu from elsewhere (a list row's keyboard shortcut). */
export interface MenuControl {
  open: () => void;
}

/**
 * A button that opens a menu (role menu / menuitem) with arrow-key navigation and Esc to close. A list row whose
 * own element is the Tab stop (threads, issue 12) takes the button out of the Tab order (`tabIndex` -1), opens the
 * menu through `control`, and gets focus back through `returnFocus`.
 */
export function MenuButton(props: {
  label: string;
  icon: string;
  items: MenuItem[];
  className?: string | undefined;
  heading?: string;
  up?: boolean;
  tabIndex?: number;
  control?: Ref<MenuControl>;
  returnFocus?: () => HTMLElement | null | undefined;
}) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);
  useImperativeHandle(props.control, () => ({ open: () => setOpen(true) }), []);
  const focusBack = () => (props.returnFocus?.() ?? button.current)?.focus();
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
      focusBack();
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
      <button ref={button} type="button" aria-label={props.label} aria-haspopup="menu" aria-expanded={open} className={props.className ?? styles.iconButton} onClick={() => setOpen(!open)} {...(props.tabIndex !== undefined ? { tabIndex: props.tabIndex } : {})}>
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
                // Where focus goes unless the action moves it (a rename box takes it).
                if (props.returnFocus) focusBack();
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
