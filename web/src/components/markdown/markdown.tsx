import { memo, useEffect, useMemo, useState, type ReactNode } from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import type { Plugin } from "unified";
import { splitBlocks, hasMath } from "./blocks.js";
import { CodeBlock } from "./code-block.js";
import { htmlAsText, loadMath } from "./plugins.js";
import styles from "./markdown.module.css";

type MathPlugins = Awaited<ReturnType<typeof loadMath>>;

function textOf(node: ReactNode): string {
  if (typeof node === "string" || typeof node === "number") return String(node);
  if (Array.isArray(node)) return node.map(textOf).join("");
  if (node && typeof node === "object" && "props" in node) return textOf((node.props as { children?: ReactNode }).children);
  return "";
}

function components(streaming: boolean): Components {
  return {
    a: ({ href, children }) => (
      <a href={href} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
    ),
    pre: ({ children }) => {
      const child = Array.isArray(children) ? children[0] : children;
      const className = (child as { props?: { className?: string } } | undefined)?.props?.className ?? "";
      const lang = /language-([\w+#.-]+)/.exec(className)?.[1];
      return <CodeBlock code={textOf(child).replace(/\n$/, "")} lang={lang} streaming={streaming} />;
    },
    table: ({ children }) => (
      <div className={styles.tableWrap}>
        <table>{children}</table>
      </div>
    ),
  };
}

const Block = memo(function Block(props: { text: string; math: MathPlugins | undefined; streaming: boolean }) {
  const remarkPlugins: Plugin[] = [remarkGfm as Plugin, htmlAsText as Plugin, ...(props.math ? [props.math.remarkMath] : [])];
  const rehypePlugins: Plugin[] = props.math ? [props.math.rehypeKatex] : [];
  return (
    <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components(props.streaming)}>
      {props.text}
    </ReactMarkdown>
  );
});

/**
 * Markdown that is safe to stream: blocks are memoized so only the growing last block re-renders, raw HTML is
 * shown as text, unsafe links (javascript:, data:) are dropped, and math loads KaTeX only when needed.
 */
export function Markdown(props: { text: string; streaming?: boolean }) {
  const blocks = useMemo(() => splitBlocks(props.text), [props.text]);
  const wantsMath = useMemo(() => hasMath(props.text), [props.text]);
  const [math, setMath] = useState<MathPlugins | undefined>();
  useEffect(() => {
    if (wantsMath && !math) void loadMath().then(setMath);
  }, [wantsMath, math]);
  return (
    <div className={styles.markdown}>
      {blocks.map((block, i) => (
        <Block key={i} text={block} math={wantsMath && hasMath(block) ? math : undefined} streaming={Boolean(props.streaming) && i === blocks.length - 1} />
      ))}
    </div>
  );
}
