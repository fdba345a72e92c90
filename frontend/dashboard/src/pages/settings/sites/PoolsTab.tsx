// The site's number pools (each visitor is lent a number of a pool for the lease time, so
// a call tells which visit it came from), a new pool bought N numbers at once, and the
// order in which the site's rules are tried.
import { useState } from "preact/hooks";
import type { Answer } from "../../../api";
import { useSession } from "../../../session";
import { useResource } from "../../../ui/resource";
import { Empty, Loaded, Outcome } from "../../../ui/states";
import { Field, useSaver, value } from "./kit";
import { type Pool, ruleFields, ruleOf } from "./model";
import PoolCard, { LeaseFields } from "./PoolCard";
import { RuleFields, type RuleForm } from "./RuleFields";
import RuleOrder from "./RuleOrder";
import type { TabProps } from "./SitePage";

export default function PoolsTab({ site }: TabProps) {
  const { t, can } = useSession();
  const [generation, setGeneration] = useState(0);
  const [creating, setCreating] = useState(false);
  const changed = () => setGeneration((g) => g + 1);
  // The list names the site's pools; each pool's own read gives its rule and ETag.
  const pools = useResource(async (api) => {
    const { pools: all } = await api.get<{ pools: { poolId: string; siteId: string }[] }>("/v1/pools");
    return Promise.all(all.filter((p) => p.siteId === site.siteId)
      .map((p) => api.request<Pool>("GET", `/v1/pools/${encodeURIComponent(p.poolId)}`)));
  }, [site.siteId, generation]);
  return (
    <>
      <section aria-labelledby="pools-title">
        <div class="section-head">
          <h3 id="pools-title">{t("setPoolsTitle")}</h3>
          {can("write") && !creating && <button type="button" onClick={() => setCreating(true)}>{t("setNewPool")}</button>}
        </div>
        <p class="hint">{t("setPoolsHint")}</p>
        {creating && <NewPool siteId={site.siteId} onDone={(made) => { setCreating(false); if (made) changed(); }} />}
        <Loaded resource={pools}>
          {(list: Answer<Pool>[]) => list.length === 0 ? <Empty><p>{t("setNoPools")}</p></Empty> : (
            <div class="pools">
              {list.map((p) => <PoolCard key={`${p.body.poolId}-${p.etag}`} answer={p} onChanged={changed} />)}
            </div>
          )}
        </Loaded>
      </section>
      <Loaded resource={pools}>
        {(list: Answer<Pool>[]) => <RuleOrder siteId={site.siteId} pools={list.map((p) => p.body)} generation={generation} />}
      </Loaded>
    </>
  );
}

function NewPool({ siteId, onDone }: { siteId: string; onDone: (made: boolean) => void }) {
  const { t } = useSession();
  const saver = useSaver();
  const [name, setName] = useState("");
  const [count, setCount] = useState("5");
  const [kind, setKind] = useState("local");
  const [areaCode, setAreaCode] = useState("");
  const [lease, setLease] = useState("30");
  const [policy, setPolicy] = useState("share_oldest");
  const [rule, setRule] = useState<RuleForm>(ruleFields({}));
  const submit = async (event: Event) => {
    event.preventDefault();
    const numbers: Record<string, unknown> = { count: Number(count), kind };
    if (areaCode.trim()) numbers.areaCode = areaCode.trim();
    const ok = await saver.run((api) => api.send("POST", `/v1/sites/${encodeURIComponent(siteId)}/pools`, {
      name: name.trim(), leaseSeconds: Math.round(Number(lease) * 60), exhaustionPolicy: policy, rule: ruleOf(rule), numbers,
    }));
    if (ok) onDone(true);
  };
  return (
    <form class="card" onSubmit={submit} aria-labelledby="new-pool-title">
      <h4 id="new-pool-title">{t("setNewPool")}</h4>
      <Field id="np-name" label={t("setPoolName")}>
        <input id="np-name" required maxLength={200} value={name} onInput={(e) => setName(value(e))} />
      </Field>
      <div class="row">
        <Field id="np-count" label={t("setPoolCount")} hint={t("setPoolCountHint")}>
          <input id="np-count" type="number" min={1} max={20} required class="short" value={count} aria-describedby="np-count-hint" onInput={(e) => setCount(value(e))} />
        </Field>
        <Field id="np-kind" label={t("setKind")}>
          <select id="np-kind" value={kind} onChange={(e) => setKind(value(e))}>
            <option value="local">{t("setNumberKind_local")}</option>
            <option value="toll_free">{t("setNumberKind_toll_free")}</option>
          </select>
        </Field>
        <Field id="np-area" label={t("setAreaCode")}>
          <input id="np-area" class="short" inputMode="numeric" pattern="[0-9]{3}" maxLength={3} value={areaCode} onInput={(e) => setAreaCode(value(e))} />
        </Field>
      </div>
      <LeaseFields id="np" lease={lease} onLease={setLease} policy={policy} onPolicy={setPolicy} />
      <RuleFields id="np-rule" form={rule} onChange={setRule} />
      <p class="hint">{t("setNoPrice")}</p>
      <div class="save-bar">
        <button type="submit" disabled={saver.busy}>{saver.busy ? t("setBuying") : t("setCreatePool", { count })}</button>
        <button type="button" class="secondary" onClick={() => onDone(false)}>{t("cancel")}</button>
        <Outcome error={saver.error} />
      </div>
    </form>
  );
}
