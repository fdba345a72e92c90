// One pool: its size, lease time and rule, how healthy it is at its size (Erlang-B and
// the accuracy model: ringback/tracking/sizing.py) and what size it should be; its
// settings changed, numbers added or given back, the pool deleted. Each change names the
// pool's version (its ETag).
import { useState } from "preact/hooks";
import type { Answer } from "../../../api";
import { useSession } from "../../../session";
import { phone } from "../../../ui/format";
import { useResource } from "../../../ui/resource";
import { Loaded, Outcome } from "../../../ui/states";
import { ConfirmButton, Field, SaveBar, useSaver, value } from "./kit";
import { type Pool, type PoolHealth, numberPath, ruleFields, ruleOf } from "./model";
import { RuleFields, type RuleForm, ruleSummary } from "./RuleFields";

export function leaseText(seconds: number, t: ReturnType<typeof useSession>["t"]): string {
  return seconds % 3600 === 0 ? t("setHours", { n: seconds / 3600 }) : t("setMinutes", { n: Math.round(seconds / 60) });
}

export default function PoolCard({ answer, onChanged }: { answer: Answer<Pool>; onChanged: () => void }) {
  const { t, can } = useSession();
  const pool = answer.body;
  const path = `/v1/pools/${encodeURIComponent(pool.poolId)}`;
  const [mode, setMode] = useState<"view" | "edit" | "grow">("view");
  const remover = useSaver(onChanged);
  const act = (work: Parameters<typeof remover.run>[0]) => remover.run(work).then((ok) => ok && onChanged());
  return (
    <article class="card pool" data-pool={pool.poolId} aria-labelledby={`pool-${pool.poolId}`}>
      <div class="section-head">
        <h4 id={`pool-${pool.poolId}`}>{pool.name}</h4>
        {can("write") && mode === "view" && (
          <span class="actions">
            <button type="button" class="secondary" onClick={() => setMode("edit")} aria-label={t("setEditPool", { name: pool.name })}>{t("edit")}</button>
            {pool.mode === "numbers" && <button type="button" class="secondary" onClick={() => setMode("grow")}>{t("setAddNumbers")}</button>}
            <ConfirmButton label={t("delete")} question={t("setDeletePoolQ", { name: pool.name, count: pool.size })} busy={remover.busy}
              onConfirm={() => act((api) => api.send("DELETE", path, undefined, { ifMatch: answer.etag }))} />
          </span>
        )}
      </div>
      <Outcome error={remover.error} />
      <dl class="facts">
        <dt>{t("setPoolSize")}</dt><dd>{t("setPoolSizeValue", { numbers: pool.size, lines: pool.lines })}</dd>
        <dt>{t("setLease")}</dt><dd>{leaseText(pool.leaseSeconds, t)}</dd>
        <dt>{t("setWhenFull")}</dt><dd>{t(`setPolicy_${pool.exhaustionPolicy}` as "setPolicy_share_oldest")}</dd>
        <dt>{t("setShownTo")}</dt><dd>{ruleSummary(pool.rule, t)}</dd>
      </dl>
      {mode === "edit" && <EditPool answer={answer} onDone={(saved) => { setMode("view"); if (saved) onChanged(); }} />}
      {mode === "grow" && <GrowPool answer={answer} onDone={(saved) => { setMode("view"); if (saved) onChanged(); }} />}
      <Health poolId={pool.poolId} size={pool.lines} />
      <details class="pool-numbers">
        <summary>{t("setPoolNumbers", { count: pool.size })}</summary>
        <ul>
          {pool.numbers.map((n) => (
            <li key={n}>
              <span>{phone(n)}</span>
              {pool.size > 1 && (
                <ConfirmButton class="link" label={t("setGiveBack")} question={t("setGiveBackQ", { number: phone(n) })} busy={remover.busy}
                  onConfirm={() => act((api) => api.send("DELETE", `${path}/numbers/${numberPath(n)}`, undefined, { ifMatch: answer.etag }))} />
              )}
            </li>
          ))}
        </ul>
      </details>
    </article>
  );
}

function EditPool({ answer, onDone }: { answer: Answer<Pool>; onDone: (saved: boolean) => void }) {
  const { t } = useSession();
  const pool = answer.body;
  const saver = useSaver(() => onDone(true));
  const [name, setName] = useState(pool.name);
  const [lease, setLease] = useState(String(Math.round(pool.leaseSeconds / 60)));
  const [policy, setPolicy] = useState<string>(pool.exhaustionPolicy);
  const [rule, setRule] = useState<RuleForm>(ruleFields(pool.rule));
  const id = `ep-${pool.poolId}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    const ok = await saver.run((api) => api.send("PATCH", `/v1/pools/${encodeURIComponent(pool.poolId)}`, {
      name: name.trim(), leaseSeconds: Math.round(Number(lease) * 60), exhaustionPolicy: policy, rule: ruleOf(rule),
    }, { ifMatch: answer.etag }));
    if (ok) onDone(true);
  };
  return (
    <form class="inline-editor" onSubmit={submit} aria-label={t("setEditPool", { name: pool.name })}>
      <Field id={`${id}-name`} label={t("setPoolName")}>
        <input id={`${id}-name`} required maxLength={200} value={name} onInput={(e) => setName(value(e))} />
      </Field>
      <LeaseFields id={id} lease={lease} onLease={setLease} policy={policy} onPolicy={setPolicy} />
      <RuleFields id={`${id}-rule`} form={rule} onChange={setRule} />
      <div class="save-bar">
        <SaveBar saver={saver} />
        <button type="button" class="secondary" onClick={() => onDone(false)}>{t("cancel")}</button>
      </div>
    </form>
  );
}

function GrowPool({ answer, onDone }: { answer: Answer<Pool>; onDone: (saved: boolean) => void }) {
  const { t } = useSession();
  const saver = useSaver(() => onDone(true));
  const [count, setCount] = useState("1");
  const [areaCode, setAreaCode] = useState("");
  const id = `gp-${answer.body.poolId}`;
  const submit = async (event: Event) => {
    event.preventDefault();
    const body: Record<string, unknown> = { count: Number(count) };
    if (areaCode.trim()) body.areaCode = areaCode.trim();
    const ok = await saver.run((api) => api.send("POST", `/v1/pools/${encodeURIComponent(answer.body.poolId)}/numbers`, body, { ifMatch: answer.etag }));
    if (ok) onDone(true);
  };
  return (
    <form class="inline-editor row" onSubmit={submit} aria-label={t("setAddNumbers")}>
      <Field id={`${id}-count`} label={t("setPoolCount")}>
        <input id={`${id}-count`} type="number" min={1} max={20} required class="short" value={count} onInput={(e) => setCount(value(e))} />
      </Field>
      <Field id={`${id}-area`} label={t("setAreaCode")}>
        <input id={`${id}-area`} class="short" inputMode="numeric" pattern="[0-9]{3}" maxLength={3} value={areaCode} onInput={(e) => setAreaCode(value(e))} />
      </Field>
      <div class="save-bar">
        <SaveBar saver={saver} label={t("setBuyN", { count })} />
        <button type="button" class="secondary" onClick={() => onDone(false)}>{t("cancel")}</button>
      </div>
    </form>
  );
}

function Health({ poolId, size }: { poolId: string; size: number }) {
  const { t, language } = useSession();
  const health = useResource((api) => api.get<PoolHealth>(`/v1/pools/${encodeURIComponent(poolId)}/health?hours=24`), [poolId, size]);
  const pct = (v: number) => new Intl.NumberFormat(language === "ru" ? "ru-RU" : "en-US", { style: "percent", maximumFractionDigits: 1 }).format(v);
  return (
    <div class="health">
      <h5>{t("setHealthTitle")}</h5>
      <Loaded resource={health}>
        {(h) => {
          const wanted = h.size_for_accuracy ?? h.recommended_size;
          const advice = h.leases === 0 ? t("setAdviceNoTraffic")
            : wanted > h.size ? t("setAdviceGrow", { wanted, more: wanted - h.size })
            : wanted < h.size * 0.6 ? t("setAdviceShrink", { wanted })
            : t("setAdviceFine");
          return (
            <>
              <dl class="facts">
                <dt>{t("setVisits24")}</dt><dd>{h.leases}</dd>
                <dt>{t("setUtilisation")}</dt><dd>{pct(h.utilisation)}</dd>
                <dt>{t("setPeak")}</dt><dd>{t("setPeakValue", { peak: h.peak_concurrent, size: h.size })}</dd>
                <dt>{t("setAccuracy")}</dt><dd>{pct(h.expected_accuracy)}</dd>
                <dt>{t("setOverflow")}</dt><dd>{h.overflow_count}</dd>
              </dl>
              <p class={`advice ${wanted > h.size && h.leases > 0 ? "warn-text" : ""}`}>{advice}</p>
            </>
          );
        }}
      </Loaded>
    </div>
  );
}

// The lease time (minutes in the form, seconds in the API) and what a full pool does.
export function LeaseFields({ id, lease, onLease, policy, onPolicy }: {
  id: string; lease: string; onLease: (v: string) => void; policy: string; onPolicy: (v: string) => void;
}) {
  const { t } = useSession();
  return (
    <div class="row">
      <Field id={`${id}-lease`} label={t("setLeaseMinutes")} hint={t("setLeaseHint")}>
        <input id={`${id}-lease`} type="number" min={3} max={10080} required class="short" value={lease}
          aria-describedby={`${id}-lease-hint`} onInput={(e) => onLease(value(e))} />
      </Field>
      <Field id={`${id}-policy`} label={t("setWhenFull")}>
        <select id={`${id}-policy`} value={policy} onChange={(e) => onPolicy(value(e))}>
          <option value="share_oldest">{t("setPolicy_share_oldest")}</option>
          <option value="default_number">{t("setPolicy_default_number")}</option>
        </select>
      </Field>
    </div>
  );
}
