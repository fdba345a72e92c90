// Step 5: a test call. The customer calls a tracking number (for a pool, the one their
// own page now shows) and watches the call arrive here, with the source it was given.
import type { Call } from "../../api";
import { explain, sourceOf } from "../../explain";
import { useSession } from "../../session";
import { dateTime, phone } from "../../ui/format";
import { type Site, type TrackingNumber, unbroken } from "./model";
import { checkedUrl } from "./InstallStep";
import { ruleText } from "./NumbersStep";

export function CallStep({ site, numbers, call, onNumbers }: {
  site: Site; numbers: TrackingNumber[]; call: Call | null; onNumbers: () => void;
}) {
  const { t } = useSession();
  const pooled = numbers.filter((n) => n.kind === "pool");
  const statics = numbers.filter((n) => n.kind === "static");
  const page = checkedUrl(site);
  const own = site.ownNumbers.map((n) => unbroken(phone(n))).join(", ") || t("onbYourNumber");

  return (
    <div class="card">
      {numbers.length === 0 && (
        <p>{t("onbCallNoNumbers")} <button type="button" class="link" onClick={onNumbers}>{t("onbStepNumbers")}</button></p>
      )}
      {pooled.length > 0 && (
        <div class="onb-call-how">
          <h3>{t("onbCallPoolTitle")}</h3>
          <ol class="onb-how">
            <li>{t("onbCallOpenPage")} <a href={page} target="_blank" rel="noopener noreferrer">{page}</a></li>
            <li>{t("onbCallPoolSees", { own })}</li>
            <li>{t("onbCallPoolDial")}</li>
          </ol>
          <p class="hint">{t("onbCallPoolNumbers", { numbers: pooled.slice(0, 6).map((n) => unbroken(phone(n.number))).join(", ")
            + (pooled.length > 6 ? "…" : "") })}</p>
        </div>
      )}
      {statics.length > 0 && (
        <div class="onb-call-how">
          <h3>{t("onbCallStaticTitle")}</h3>
          <ul class="onb-dial">
            {statics.map((n) => (
              <li key={n.number}><a class="onb-big" href={`tel:${n.number}`}>{phone(n.number)}</a>{" "}
                <span class="hint">{t("onbShownToShort", { rule: ruleText(n.channel ?? {}, t) })}</span></li>
            ))}
          </ul>
        </div>
      )}
      <div class="onb-arrival" aria-live="polite">
        {call ? <Arrived site={site} call={call} /> : numbers.length > 0 && (
          <p class="onb-waiting"><span class="spinner" aria-hidden="true" />{t("onbWaiting")}</p>
        )}
      </div>
    </div>
  );
}

function Arrived({ site, call }: { site: Site; call: Call }) {
  const { t, language } = useSession();
  return (
    <div class="onb-arrived" data-call={call.call_id}>
      <p class="onb-verdict ok">{t("onbCallArrived")}</p>
      <dl class="facts">
        <dt>{t("onbCallFrom")}</dt><dd>{phone(call.caller)}</dd>
        <dt>{t("onbCallTo")}</dt><dd>{phone(call.tracking_number)}</dd>
        <dt>{t("onbCallWhen")}</dt><dd>{dateTime(call.started_at, language)}</dd>
        <dt>{t("onbCallSource")}</dt>
        <dd><strong>{sourceOf(call.attribution, t)}</strong>
          <ul class="why">{explain(call.attribution, t).map((line) => <li key={line}>{line}</li>)}</ul></dd>
      </dl>
      <p><a href={`/app/calls/${encodeURIComponent(call.call_id)}`}>{t("onbOpenCall")}</a></p>
      <h3>{t("onbWhatNext")}</h3>
      <ul class="onb-next">
        <li><a href="/app/calls">{t("onbNextCalls")}</a></li>
        <li><a href={`/app/settings/sites/${encodeURIComponent(site.siteId)}/routing`}>{t("onbNextRouting")}</a></li>
        <li><a href="/app/reports">{t("onbNextReports")}</a></li>
      </ul>
    </div>
  );
}
