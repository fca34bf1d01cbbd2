import type { Effort, Preferences, Profile } from "../../api/types.js";
import { Dialog } from "../../components/dialog.js";
import { Slider } from "../../components/slider.js";
import { Switch } from "../../components/switch.js";
import controls from "../../components/controls.module.css";
import { t } from "../../i18n/index.js";
import { COST_PRECISION, DEFAULT_PREFERENCES } from "../../../../src/shared/preferences.js";
import { defaultsFor, fixedNow, thinks, type FullSettings } from "./settings.js";
import { SystemPromptField } from "./system-prompt-field.js";

export type DisplayPreferences = Pick<Preferences, "showCost" | "costPrecision">;

/**
 * The thread's model settings, exactly as the profile's rules describe them (/api/profiles: which controls exist,
 * ranges, steps, defaults, what is fixed while the model thinks), and the user's display preferences.
 */
export function SettingsDialog(props: {
  open: boolean;
  /** Beside the conversation (a wide screen) rather than over it. */
  panel: boolean;
  profile: Profile;
  settings: FullSettings;
  onChange: (s: FullSettings) => void;
  preferences: DisplayPreferences;
  onPreferences: (patch: Partial<DisplayPreferences>) => void;
  onClose: () => void;
}) {
  const { profile, settings, preferences } = props;
  const s = profile.settings;
  const defaults = defaultsFor(profile);
  const set = <K extends keyof FullSettings>(key: K, value: FullSettings[K]) => props.onChange({ ...settings, [key]: value });
  const thinking = thinks(profile, settings);
  const temperatureFixed = fixedNow(s.temperature, thinking);
  const topPFixed = fixedNow(s.topP, thinking);
  const effortLabel: Record<Effort, string> = { low: t.effortLow, medium: t.effortMedium, high: t.effortHigh };
  return (
    <Dialog
      title={t.settings}
      open={props.open}
      onClose={props.onClose}
      wide
      panel={props.panel}
      footer={
        <>
          <button
            type="button"
            onClick={() => {
              props.onChange(defaultsFor(profile));
              props.onPreferences({ showCost: DEFAULT_PREFERENCES.showCost, costPrecision: DEFAULT_PREFERENCES.costPrecision });
            }}
          >
            {t.resetDefaults}
          </button>
          <button type="button" className={controls.primary} onClick={props.onClose}>
            {t.close}
          </button>
        </>
      }
    >
      <p className={controls.hint}>{profile.name}</p>
      <p className={controls.hint}>{t.settingsScope}</p>
      {s.thinking.available ? <Switch label={t.enableThinking} checked={settings.thinking} onChange={(v) => set("thinking", v)} /> : null}
      {s.thinking.alwaysOn ? <p className={controls.hint}>{t.alwaysReasons}</p> : null}
      {s.budgetTokens.available ? (
        <Slider label={t.thinkingBudget} min={s.budgetTokens.min} max={s.budgetTokens.max} step={s.budgetTokens.step} value={settings.budgetTokens} disabled={!thinking} onChange={(v) => set("budgetTokens", v)} format={(v) => v.toLocaleString()} hint={t.thinkingBudgetHint} defaultValue={defaults.budgetTokens} defaultLabel={t.defaultValue} />
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
        <Slider
          label={t.temperature}
          min={s.temperature.min}
          max={s.temperature.max}
          step={s.temperature.step}
          value={settings.temperature}
          disabled={temperatureFixed}
          hint={temperatureFixed ? t.temperatureDisabled : t.temperatureHint}
          onChange={(v) => set("temperature", v)}
          format={(v) => v.toFixed(1)}
          defaultValue={defaults.temperature}
          defaultLabel={t.defaultValue}
        />
      ) : null}
      {s.topP.available ? (
        <Slider
          label={t.topP}
          min={s.topP.min}
          max={s.topP.max}
          step={s.topP.step}
          value={settings.topP ?? s.topP.max}
          disabled={topPFixed}
          hint={topPFixed ? t.topPDisabled : settings.topP === null ? t.topPNotSent : t.topPHint}
          onChange={(v) => set("topP", v)}
          format={(v) => (settings.topP === null ? t.topPUnset : v.toFixed(2))}
        />
      ) : null}
      <Slider label={t.maxTokens} min={s.maxTokens.min} max={s.maxTokens.max} step={s.maxTokens.step} value={settings.maxTokens} onChange={(v) => set("maxTokens", v)} format={(v) => v.toLocaleString()} hint={t.maxTokensHint} defaultValue={defaults.maxTokens} defaultLabel={t.defaultValue} />
      <Switch label={t.showCost} checked={preferences.showCost} onChange={(v) => props.onPreferences({ showCost: v })} />
      <Slider label={t.costPrecision} min={COST_PRECISION.min} max={COST_PRECISION.max} step={1} value={preferences.costPrecision} disabled={!preferences.showCost} onChange={(v) => props.onPreferences({ costPrecision: v })} />
      {/* System prompts (issue 13): the prompt in use, and "Use the latest prompt". */}
      <SystemPromptField profile={profile} value={settings.system} onChange={(v) => set("system", v)} />
      {s.streaming.available || s.promptCaching.available ? (
        <details className={controls.advanced}>
          <summary>{t.advanced}</summary>
          {s.streaming.available ? <Switch label={t.streaming} hint={t.streamingHint} checked={settings.stream} onChange={(v) => set("stream", v)} /> : null}
          {s.promptCaching.available ? <Switch label={t.promptCaching} hint={t.promptCachingHint} checked={settings.promptCaching} onChange={(v) => set("promptCaching", v)} /> : null}
        </details>
      ) : null}
    </Dialog>
  );
}
