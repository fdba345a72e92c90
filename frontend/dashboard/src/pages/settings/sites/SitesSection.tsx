// Sites & numbers: the list of sites (/app/settings/sites) and each site's editors
// (/app/settings/sites/<siteId>/<tab>), every one on the public management API.
import "./sites.css";
import SitePage from "./SitePage";
import SitesList from "./SitesList";

export default function SitesSection({ rest }: { rest: string }) {
  const [siteId, tab] = rest.split("/").filter(Boolean).map(decodeURIComponent);
  return siteId ? <SitePage key={siteId} siteId={siteId} tab={tab ?? "general"} /> : <SitesList />;
}
