import { useEffect, useState } from "react";
import type { SystemPromptState } from "../../../../src/shared/prompts.js";
import { api } from "../../api/client.js";
import type { Profile } from "../../api/types.js";
import controls from "../../components/controls.module.css";
import { t } from "../../i18n/index.js";

/** The thread in the address (/t/:id), or null for a new chat. */
const threadInAddress = () => /^\/t\/([\w-]+)$/.exec(location.pathname)?.[1] ?? null;

/**
 * The System prompt of Settings (issue 13): the text in use (the profile's prompt version this thread took, or what
 * a new chat gets now), the user's own text once they edit it, and "Use the latest prompt" for a thread that has
 * its own text or an older version.
 */
export function SystemPromptField(props: { profile: Profile; value: string | null; onChange: (value: string | null) => void }) {
  const { profile, value } = props;
  const threadId = threadInAddress();
  const [state, setState] = useState<SystemPromptState | null>(null);
  useEffect(() => {
    let live = true;
    api.systemPrompt(profile.name, threadId).then(
      (r) => live && setState(r.systemPrompt),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [profile.name, threadId]);
  const shown = value ?? state?.text ?? profile.settings.systemPrompt.default;
  const older = state?.frozen === true && state.version !== null && state.latestVersion !== null && state.latestVersion !== state.version;
  const where = value !== null ? t.settingsPromptOwn : state?.source === "config" ? t.settingsPromptConfig : state?.version ? `${t.settingsPromptVersion(state.version)}${older ? ` ${t.settingsPromptNewer(state.latestVersion!)}` : ""}` : null;
  return (
    <div className={controls.field}>
      <label htmlFor="system-prompt">{t.systemPrompt}</label>
      <textarea id="system-prompt" rows={5} value={shown} onChange={(e) => props.onChange(e.target.value)} />
      {where ? <p className={controls.hint}>{where}</p> : null}
      <p className={controls.hint}>{t.systemPromptHint}</p>
      {threadId && (value !== null || older) ? (
        <p>
          <button
            type="button"
            onClick={() => {
              props.onChange(null);
              void api.useLatestPrompt(threadId, profile.name).then((r) => setState(r.systemPrompt), () => undefined);
            }}
          >
            {t.useLatestPrompt}
          </button>
        </p>
      ) : null}
    </div>
  );
}
