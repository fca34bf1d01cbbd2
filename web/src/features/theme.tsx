import { useEffect, useState } from "react";
import { t } from "../i18n/index.js";

type Theme = "light" | "dark" | "system";

function apply(theme: Theme) {
  const dark = theme === "dark" || (theme === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.dataset.theme = dark ? "dark" : "light";
}

/** The Theme combobox: Light, Dark or System (follows the operating system, live). */
export function ThemePicker(props: { className?: string | undefined }) {
  const [theme, setTheme] = useState<Theme>(() => (localStorage.getItem("theme") as Theme | null) ?? "system");
  useEffect(() => {
    apply(theme);
    localStorage.setItem("theme", theme);
    if (theme !== "system") return;
    const media = matchMedia("(prefers-color-scheme: dark)");
    const onChange = () => apply("system");
    media.addEventListener("change", onChange);
    return () => media.removeEventListener("change", onChange);
  }, [theme]);
  return (
    <select aria-label={t.theme} className={props.className} value={theme} onChange={(e) => setTheme(e.target.value as Theme)}>
      <option value="light">{t.light}</option>
      <option value="dark">{t.dark}</option>
      <option value="system">{t.system}</option>
    </select>
  );
}
