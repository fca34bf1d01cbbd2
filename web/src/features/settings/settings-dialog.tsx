import type { Effort, Profile } from "../../api/types.js";
import { Dialog } from "../../components/Dialog.js";
import { Slider, Switch } from "../../components/Switch.js";
import controls from "../../components/controls.module.css";
import { t } from "../../i18n/index.js";
import { defaultsFor, thinkingOn, type FullSettings } from "./settings.js";

/** Only the controls the profile supports, with the original app's ranges and defaults. */
export function SettingsDialog(props: { open: boolean; profile: Profile; settings: FullSettings; onChange: (s: FullSettings) => void; onClose: () => void }) {
  const { profile, settings } = props;
  const s = profile.settings;
  const set = <K extends keyof FullSettings>(key: K, value: FullSettings[K]) => props.onChange({ ...settings, [key]: value });
  const thinking = thinkingOn(profile, settings);
  const effortLabel: Record<Effort, string> = { low: t.effortLow, medium: t.effortMedium, high: t.effortHigh };
  return (
    <Dialog
      title={t.settings}
      open={props.open}
      onClose={props.onClose}
      wide
      footer={
        <>
          <button type="button" onClick={() => props.onChange(defaultsFor(profile))}>
            {t.resetDefaults}
          </button>
          <button type="button" className={controls.primary} onClick={props.onClose}>
            {t.close}
          </button>
        </>
      }
    >
      <p className={controls.hint}>{profile.name}</p>
      {s.streaming.available ? <Switch label={t.streaming} checked={settings.stream} onChange={(v) => set("stream", v)} /> : null}
      {s.thinking.available ? <Switch label={t.enableThinking} checked={settings.thinking} onChange={(v) => set("thinking", v)} /> : null}
      {s.thinking.alwaysOn ? <p className={controls.hint}>{t.alwaysReasons}</p> : null}
      {s.budgetTokens.available ? (
        <Slider label={t.thinkingBudget} min={s.budgetTokens.min} max={s.budgetTokens.max} step={s.budgetTokens.step} value={settings.budgetTokens} disabled={!settings.thinking} onChange={(v) => set("budgetTokens", v)} format={(v) => v.toLocaleString()} />
      ) : null}
      {s.effort.available ? (
        <div className={controls.field}>
          <label htmlFor="reasoning-effort">{t.reasoningEffort}</label>
          <select id="reasoning-effort" value={settings.effort} onChange={(e) => set("effort", e.target.value as Effort)}>
            {s.effort.options.map((o) => (
              <option key={o} value={o}>
                {effortLabel[o]}
              </option>
            ))}
          </select>
        </div>
      ) : null}
      {s.interleaved.available ? <Switch label={t.interleavedThinking} hint={t.interleavedHint} checked={settings.interleaved} onChange={(v) => set("interleaved", v)} /> : null}
      {s.temperature.available ? (
        <Slider label={t.temperature} min={s.temperature.min} max={s.temperature.max} step={s.temperature.step} value={settings.temperature} disabled={thinking} hint={thinking ? t.temperatureDisabled : undefined} onChange={(v) => set("temperature", v)} format={(v) => v.toFixed(1)} />
      ) : null}
      {s.topP.available ? (
        <Slider label={t.topP} min={s.topP.min} max={s.topP.max} step={s.topP.step} value={settings.topP ?? 1} onChange={(v) => set("topP", v)} format={(v) => (settings.topP === null ? t.topPUnset : v.toFixed(2))} />
      ) : null}
      <Slider label={t.maxTokens} min={s.maxTokens.min} max={s.maxTokens.max} step={1} value={settings.maxTokens} onChange={(v) => set("maxTokens", v)} format={(v) => v.toLocaleString()} />
      <Switch label={t.showCost} checked={settings.showCost} onChange={(v) => set("showCost", v)} />
      <Slider label={t.costPrecision} min={s.costPrecision.min} max={s.costPrecision.max} step={1} value={settings.costPrecision} disabled={!settings.showCost} onChange={(v) => set("costPrecision", v)} />
      <div className={controls.field}>
        <label htmlFor="system-prompt">{t.systemPrompt}</label>
        <textarea id="system-prompt" rows={5} value={settings.system ?? s.systemPrompt.default} onChange={(e) => set("system", e.target.value)} />
        <p className={controls.hint}>{t.systemPromptHint}</p>
      </div>
    </Dialog>
  );
}
