"""Public API for the code on customers' pages: the swap script and the callback widget.

Every route here is public: it is guarded by the site key plus the page's Origin
(ringback.sites.site_for_origin), and by API Gateway's throttling.
"""
from ringback import sites
from ringback.adapters.web import PUBLIC_CORS, RingbackApp
from ringback.bootstrap import services

app = RingbackApp("widget")


@app.route("/health", methods=["GET"], cors=PUBLIC_CORS)
def health():
    return {"status": "ok", "stage": services().settings.stage}


@app.route("/v1/sites/{site_key}/config", methods=["GET"], cors=PUBLIC_CORS)
def site_config(site_key):
    site = sites.site_for_origin(services().sites, site_key, app.origin())
    return sites.public_config(site)
