import type { Plugin } from "unified";
import type { Root } from "mdast";
import { visit } from "unist-util-visit";

/** Raw HTML written by the model is shown as text, never rendered or run. */
export const htmlAsText: Plugin<[], Root> = () => (tree) => {
  visit(tree, "html", (node, index, parent) => {
    if (parent && index !== undefined) parent.children[index] = { type: "text", value: (node as { value: string }).value };
  });
};

/** Math support (KaTeX) is loaded only for answers that contain math. */
type MathPlugins = { remarkMath: Plugin; rehypeKatex: Plugin };
let mathLoading: Promise<MathPlugins> | undefined;
export function loadMath(): Promise<MathPlugins> {
  mathLoading ??= Promise.all([import("remark-math"), import("rehype-katex"), import("katex/dist/katex.min.css")]).then(([m, k]) => ({
    remarkMath: m.default as unknown as Plugin,
    rehypeKatex: k.default as unknown as Plugin,
  }));
  return mathLoading;
}
