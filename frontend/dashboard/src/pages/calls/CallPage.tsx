// One call: what happened, where the caller came from (with the confidence and the
// runner-up), its recording, and what the business says about it (lead, tags, notes).
import { useRoute } from "preact-iso";
import type { Call, Touch } from "../../api";
import { explain, sourceOf } from "../../explain";
import type { Translate } from "../../i18n";
import { useSession } from "../../session";
import { dateTime, duration, phone } from "../../ui/format";
import { useResource } from "../../ui/resource";
import { Loaded, Page } from "../../ui/states";
import { LeadEditor } from "./LeadEditor";
import { Notes } from "./Notes";
import { Recording } from "./Recording";
import { MISSED, statusText } from "./words";

// A call still ringing, or whose recording is still on its way, changes while it is open.
const POLL_MS = 5000;

export interface VersionedCall {
  call: Call;
  etag: string | null;
}

export default function CallPage() {
  const { t } = useSession();
  const { params } = useRoute();
  const id = decodeURIComponent(params.id);
  const call = useResource(async (api) => {
    const answer = await api.request<Call>("GET", `/v1/calls/${encodeURIComponent(id)}`);
    return { call: answer.body, etag: answer.etag } as VersionedCall;
  }, [id], POLL_MS);
  return (
    <Loaded resource={call}>
      {(loaded) => <CallView loaded={loaded} reload={call.reload} t={t} />}
    </Loaded>
  );
}

function CallView({ loaded, reload, t }: { loaded: VersionedCall; reload: () => void; t: Translate }) {
  const { language, can } = useSession();
  const { call } = loaded;
  const a = call.attribution;
  const outcome = (call.outcome ?? {}) as { talk_seconds?: number; answered_by?: string };
  return (
    <Page title={t("callTitle", { caller: phone(call.caller) })} actions={<a class="button secondary" href="/app/calls">{t("back")}</a>}>
      <div class="grid">
        <section class="card" aria-labelledby="facts">
          <h2 id="facts">{t("callFacts")}</h2>
          <dl class="facts">
            <dt>{t("when")}</dt><dd>{dateTime(call.started_at, language)}</dd>
            <dt>{t("callerLabel")}</dt>
            <dd><a href={`/app/callers/${encodeURIComponent(call.caller)}`}>{phone(call.caller)}</a>
              {a.first_time_caller ? <span class="tag">{t("firstTime")}</span> : null}
              {can("write") && <><br /><a class="hint" href={`/app/callers/${encodeURIComponent(call.caller)}#erase`}>{t("eraseFromCall")}</a></>}</dd>
            {a.caller_region && <><dt>{t("callerRegion")}</dt><dd>{a.caller_region}</dd></>}
            <dt>{t("number")}</dt><dd>{phone(call.tracking_number)}</dd>
            <dt>{t("status")}</dt><dd><span class={`tag ${MISSED.has(call.status) ? "danger" : ""}`}>{statusText(call.status, t)}</span></dd>
            {outcome.answered_by && <><dt>{t("answeredBy")}</dt><dd>{phone(outcome.answered_by)}</dd></>}
            <dt>{t("duration")}</dt><dd>{duration(outcome.talk_seconds ?? null)}</dd>
          </dl>
          <h3>{t("recording")}</h3>
          <Recording call={call} />
        </section>
        <section class="card" aria-labelledby="attribution">
          <h2 id="attribution">{t("attributionTitle")}</h2>
          <p class="source"><strong>{sourceOf(a, t)}</strong></p>
          <ul class="why">{explain(a, t).map((line) => <li>{line}</li>)}</ul>
          <dl class="facts">
            <dt>{t("method")}</dt><dd>{methodText(a.method, t)}</dd>
            {a.level && <><dt>{t("confidence")}</dt><dd>{levelText(a.level, t)} ({Math.floor((a.confidence ?? 0) * 1000) / 10}%)</dd></>}
            {a.keyword && <><dt>{t("keyword")}</dt><dd>{a.keyword}</dd></>}
            {(a as { landing_page?: string }).landing_page && <><dt>{t("landing")}</dt><dd class="wrap">{(a as { landing_page?: string }).landing_page}</dd></>}
            <TouchFacts label={t("firstTouch")} touch={a.first_touch} t={t} />
            <TouchFacts label={t("lastTouch")} touch={a.last_touch} t={t} />
            {a.runner_up && <><dt>{t("runnerUpTitle")}</dt><dd>{Math.floor(a.runner_up.probability * 1000) / 10}%</dd></>}
          </dl>
        </section>
      </div>
      <div class="grid">
        <LeadEditor loaded={loaded} onChanged={reload} />
        <Notes loaded={loaded} onChanged={reload} />
      </div>
    </Page>
  );
}

function TouchFacts({ label, touch, t }: { label: string; touch?: Touch | null; t: Translate }) {
  if (!touch) return null;
  return <><dt>{label}</dt><dd>{[touch.source, touch.medium, touch.campaign].filter(Boolean).join(" / ") || t("none")}</dd></>;
}

function methodText(method: string | undefined, t: Translate): string {
  if (method === "code") return t("methodCode");
  if (method === "ranked") return t("methodRanked");
  if (method === "static") return t("methodStatic");
  return t("methodUnattributed");
}

function levelText(level: string, t: Translate): string {
  return level === "high" ? t("levelHigh") : level === "medium" ? t("levelMedium") : t("levelLow");
}
