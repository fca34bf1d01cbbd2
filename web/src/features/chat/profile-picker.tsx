import { createPortal } from "react-dom";
import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent, type RefObject } from "react";
import type { Profile } from "../../api/types.js";
import { t } from "../../i18n/index.js";
import styles from "./chat.module.css";
import { capabilityLabels, formatTokens, groupProfiles, perMillion } from "./profile-search.js";

/**
 * The chat profile picker: a button (combobox "Chat profile") showing the chosen profile, opening a searchable list
 * grouped by provider, with each profile's capabilities, context window and price.
 */
export function ProfilePicker(props: { profiles: Profile[]; value: string; onChange: (name: string) => void; disabled?: boolean }) {
  const [open, setOpen] = useState(false);
  const button = useRef<HTMLButtonElement>(null);
  const listId = useId();
  const current = props.profiles.find((p) => p.name === props.value);
  const badges = current ? capabilityLabels(current) : [];
  return (
    <div className={styles.picker}>
      <button
        ref={button}
        type="button"
        role="combobox"
        aria-label={t.chatProfile}
        aria-haspopup="listbox"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        className={styles.pickerButton}
        disabled={props.disabled}
        title={current?.modelId}
        onClick={() => setOpen(!open)}
        onKeyDown={(e) => {
          if (e.key === "ArrowDown" || e.key === "ArrowUp") {
            e.preventDefault();
            setOpen(true);
          }
        }}
      >
        <span className={styles.pickerValue}>{props.value}</span>
        <svg aria-hidden="true" width="12" height="12" viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" strokeLinejoin="round">
          <path d="m6 9 6 6 6-6" />
        </svg>
      </button>
      <ul className={styles.badges} aria-label={`${props.value}: ${badges.join(", ")}`}>
        {badges.map((b) => (
          <li key={b} className={styles.badge}>
            {b}
          </li>
        ))}
      </ul>
      {open ? (
        <ProfileChooser
          listId={listId}
          anchor={button}
          profiles={props.profiles}
          value={props.value}
          label={t.chatProfiles}
          onPick={(name) => {
            setOpen(false);
            button.current?.focus();
            if (name !== props.value) props.onChange(name);
          }}
          onClose={(refocus) => {
            setOpen(false);
            if (refocus) button.current?.focus();
          }}
        />
      ) : null}
    </div>
  );
}

/**
 * The searchable list of profiles in a popover beside `anchor` (the picker, or an answer's "Regenerate with…"):
 * typing filters, the arrows move, Enter picks, Esc closes. It opens below the anchor, or above it when there is
 * more room there, and never runs off the screen (its list scrolls).
 */
export function ProfileChooser(props: {
  anchor: RefObject<HTMLElement | null>;
  profiles: readonly Profile[];
  /** The profile marked as chosen. */
  value: string;
  label: string;
  onPick: (name: string) => void;
  /** `refocus`: give focus back to the anchor (Esc), not when the user clicked elsewhere. */
  onClose: (refocus: boolean) => void;
  listId?: string;
}) {
  const [query, setQuery] = useState("");
  const groups = useMemo(() => groupProfiles(props.profiles, query), [props.profiles, query]);
  const flat = groups.flatMap((g) => g.profiles);
  const [active, setActive] = useState(() => props.value);
  const activeName = flat.some((p) => p.name === active) ? active : flat[0]?.name;
  const ownId = useId();
  const listId = props.listId ?? ownId;
  const optionId = (name: string) => `${listId}-${encodeURIComponent(name).replace(/%/g, "_")}`;
  const popover = useRef<HTMLDivElement>(null);
  const search = useRef<HTMLInputElement>(null);
  const [place, setPlace] = useState<CSSProperties>({ left: 0, top: 0 });

  useLayoutEffect(() => {
    const rect = props.anchor.current?.getBoundingClientRect();
    if (!rect) return;
    const margin = 8;
    const width = Math.min(416, innerWidth - 2 * margin);
    const left = Math.min(Math.max(margin, rect.left), innerWidth - width - margin);
    const below = innerHeight - rect.bottom - margin;
    const above = rect.top - margin;
    const up = below < 320 && above > below;
    setPlace({ left, width, maxHeight: Math.min(544, (up ? above : below) - 4), ...(up ? { bottom: innerHeight - rect.top + 4 } : { top: rect.bottom + 4 }) });
  }, [props.anchor]);
  useEffect(() => {
    search.current?.focus();
    const onDown = (e: MouseEvent) => {
      const target = e.target as Node;
      if (!popover.current?.contains(target) && !props.anchor.current?.contains(target)) props.onClose(false);
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);
  useEffect(() => {
    if (activeName) document.getElementById(optionId(activeName))?.scrollIntoView({ block: "nearest" });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [activeName]);

  const onKey = (e: KeyboardEvent) => {
    const index = flat.findIndex((p) => p.name === activeName);
    const move = (to: number) => {
      e.preventDefault();
      const next = flat[(to + flat.length) % flat.length];
      if (next) setActive(next.name);
    };
    if (e.key === "ArrowDown") move(index + 1);
    else if (e.key === "ArrowUp") move(index - 1);
    else if (e.key === "Home" && e.ctrlKey) move(0);
    else if (e.key === "End" && e.ctrlKey) move(flat.length - 1);
    else if (e.key === "Enter") {
      e.preventDefault();
      if (activeName) props.onPick(activeName);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      props.onClose(true);
    } else if (e.key === "Tab") props.onClose(false);
  };

  // On the page's body: an answer's actions sit inside the transcript's moved rows, which would carry it along.
  return createPortal(
    <div ref={popover} className={styles.chooser} style={place} onKeyDown={onKey}>
      <input
        ref={search}
        type="search"
        role="combobox"
        aria-label={t.searchProfiles}
        aria-expanded="true"
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={activeName ? optionId(activeName) : undefined}
        placeholder={t.searchProfiles}
        className={styles.chooserSearch}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <div id={listId} role="listbox" aria-label={props.label} className={styles.chooserList}>
        {groups.map((g) => (
          <div key={g.provider} role="group" aria-label={g.provider}>
            <div className={styles.chooserGroup} aria-hidden="true">
              {g.provider}
            </div>
            {g.profiles.map((p) => (
              <div
                key={p.name}
                id={optionId(p.name)}
                role="option"
                aria-selected={p.name === props.value}
                aria-labelledby={`${optionId(p.name)}-name`}
                aria-describedby={`${optionId(p.name)}-facts`}
                data-active={p.name === activeName || undefined}
                className={styles.chooserOption}
                title={p.modelId}
                onMouseMove={() => setActive(p.name)}
                onClick={() => props.onPick(p.name)}
              >
                <span id={`${optionId(p.name)}-name`} className={styles.chooserName}>
                  {p.name}
                  {p.name === props.value ? <span className={styles.chooserCheck} aria-hidden="true">✓</span> : null}
                </span>
                <span id={`${optionId(p.name)}-facts`} className={styles.chooserFacts}>
                  {[...capabilityLabels(p), p.contextWindow ? t.contextWindow(formatTokens(p.contextWindow)) : null, p.price ? t.pricePerMillion(perMillion(p.price.input1k), perMillion(p.price.output1k)) : null]
                    .filter(Boolean)
                    .join(" · ")}
                </span>
              </div>
            ))}
          </div>
        ))}
        {flat.length === 0 ? <p className={styles.chooserNone}>{t.noProfileMatches(query)}</p> : null}
      </div>
    </div>,
    document.body,
  );
}
