"""Whether a site's snippet is installed on a customer's page (ringback.accounts.install_check):
the page is fetched server-side, through the SSRF guard, and each check answered in words."""
from pool_api.web import app, now, scope
from ringback.accounts.install_check import INSTALL_CHECK
from ringback.accounts.tenants import WRITE
from ringback.adapters.web import DASHBOARD_USERS
from ringback.bootstrap import services


@app.route("/v1/sites/{site}/install-check", methods=["POST"], authorizer=DASHBOARD_USERS)
def check_install(site):
    # It changes nothing, but has us fetch a page on the tenant's behalf: those who set the
    # site up (write) may ask, as they are the ones who paste the snippet.
    body = app.valid_body(INSTALL_CHECK)
    return services().install_check.check(scope(WRITE), site, body["url"], now())
