import { useVirtualizer } from "@tanstack/react-virtual";
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { Message } from "../../api/types.js";
import { t } from "../../i18n/index.js";
import styles from "./chat.module.css";
import { siblingsOf } from "../../../../src/shared/thread-tree.js";
import type { LiveAnswer } from "./live-answer.js";
import { MessageView, type MessageActions } from "./message-view.js";
import { textOf } from "./steps.js";

/** A height guess from the content (lines of prose and code), so the first layout is close and opens at the end. */
const estimates = new WeakMap<Message, number>();
function estimateHeight(message: Message): number {
  const cached = estimates.get(message);
  if (cached !== undefined) return cached;
  const text = textOf(message.parts);
  let lines = 0;
  for (const line of text.split("\n")) lines += Math.max(1, Math.ceil(line.length / 95));
  const fences = (text.match(/```/g)?.length ?? 0) / 2;
  // A row of files: thumbnails are at most 160 px high, document chips about 50.
  const files = message.parts.some((p) => p.type === "image") ? 175 : message.parts.some((p) => p.type === "document") ? 65 : 0;
  const estimate = 90 + lines * 23 + fences * 50 + files;
  estimates.set(message, estimate);
  return estimate;
}

/**
 * The conversation, rendering only the messages near the viewport (a thread of thousands of messages keeps a
 * small DOM), and following the bottom while an answer streams unless the reader scrolled up.
 */
export function Transcript(props: {
  path: Message[];
  all: Message[];
  live: LiveAnswer | null;
  busy: boolean;
  showCost: boolean;
  costPrecision: number;
  actions: MessageActions;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  // The versions of each message, computed once per loaded thread (the same array on each render: MessageView is memo).
  const versions = useMemo(() => {
    const cache = new Map<string, Message[]>();
    return (message: Message) => {
      let list = cache.get(message.id);
      if (!list) cache.set(message.id, (list = siblingsOf(props.all, message)));
      return list;
    };
  }, [props.all]);
  const atBottom = useRef(true);
  /** Shown once the reader scrolled up from the end: "Jump to latest" brings them back (and the view follows again). */
  const [away, setAway] = useState(false);
  const virtualizer = useVirtualizer({
    count: props.path.length,
    getScrollElement: () => scroller.current,
    estimateSize: (i) => estimateHeight(props.path[i]!),
    // Open at the end of the conversation, rendering only the last messages.
    initialOffset: () => props.path.reduce((sum, m) => sum + estimateHeight(m), 0),
    overscan: 1,
    getItemKey: (i) => props.path[i]!.id,
  });

  useEffect(() => {
    const el = scroller.current;
    if (!el) return;
    const onScroll = () => {
      atBottom.current = el.scrollHeight - el.scrollTop - el.clientHeight < 80;
      setAway(!atBottom.current);
    };
    el.addEventListener("scroll", onScroll, { passive: true });
    return () => el.removeEventListener("scroll", onScroll);
  }, []);

  // A message just sent (its answer starts streaming) brings the reader to the bottom, wherever they had scrolled.
  const last = props.path[props.path.length - 1];
  const justSent = last?.status === "streaming" ? last.id : undefined;
  useLayoutEffect(() => {
    if (justSent) {
      atBottom.current = true;
      setAway(false);
    }
  }, [justSent]);
  // New messages and streamed parts keep the view at the bottom when the reader is there.
  const liveParts = props.live?.parts;
  useLayoutEffect(() => {
    if (props.path.length && atBottom.current) virtualizer.scrollToIndex(props.path.length - 1, { align: "end" });
  }, [props.path.length, liveParts, virtualizer]);
  useEffect(() => {
    atBottom.current = true;
  }, [props.path[0]?.threadId]);

  const jumpToLatest = () => {
    atBottom.current = true;
    setAway(false);
    if (props.path.length) virtualizer.scrollToIndex(props.path.length - 1, { align: "end" });
  };

  return (
    <section id="conversation" tabIndex={-1} aria-label={t.conversation} className={styles.transcript} ref={scroller}>
      <div style={{ height: virtualizer.getTotalSize(), position: "relative" }}>
        {virtualizer.getVirtualItems().map((item) => {
          const message = props.path[item.index]!;
          return (
            <div key={item.key} data-index={item.index} ref={virtualizer.measureElement} className={styles.row} style={{ transform: `translateY(${item.start}px)` }}>
              <MessageView
                message={message}
                versions={versions(message)}
                live={props.live && props.live.messageId === message.id ? props.live : null}
                busy={props.busy}
                showCost={props.showCost}
                costPrecision={props.costPrecision}
                actions={props.actions}
                last={item.index === props.path.length - 1}
              />
            </div>
          );
        })}
      </div>
      {away ? (
        <button type="button" className={styles.jumpToLatest} onClick={jumpToLatest}>
          <span aria-hidden="true">↓</span> {t.jumpToLatest}
        </button>
      ) : null}
    </section>
  );
}
