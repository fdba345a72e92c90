// Step 2: the one line the customer pastes into their pages' <head>.
import { useSession } from "../../session";
import { phone } from "../../ui/format";
import { useResource } from "../../ui/resource";
import { Loaded } from "../../ui/states";
import { CopyBox } from "./CopyBox";
import { type Site, unbroken } from "./model";

export function useSnippet(site: Site) {
  return useResource((api) => api.get<{ siteKey: string; snippet: string }>(
    `/v1/sites/${encodeURIComponent(site.siteId)}/snippet`), [site.siteId]);
}

export function SnippetStep({ site, onNext }: { site: Site; onNext: () => void }) {
  const { t } = useSession();
  const snippet = useSnippet(site);
  return (
    <div class="card">
      <ol class="onb-how">
        <li>{t("onbSnippetCopy")}</li>
        <li>{t("onbSnippetPaste", { domains: site.domains.join(", ") })}</li>
        <li>{t("onbSnippetPublish")}</li>
      </ol>
      <Loaded resource={snippet}>
        {({ snippet }) => <CopyBox id="onb-snippet" label={t("onbSnippetLabel")} text={snippet} />}
      </Loaded>
      <p class="hint">
        {site.ownNumbers.length
          ? t("onbSnippetSwaps", { number: site.ownNumbers.map((n) => unbroken(phone(n))).join(", ") })
          : t("onbSnippetNoOwn")}
      </p>
      <div class="onb-nav">
        <button type="button" onClick={onNext}>{t("onbNextInstall")}</button>
      </div>
    </div>
  );
}
