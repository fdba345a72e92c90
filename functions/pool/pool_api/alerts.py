"""Who is texted about a site's missed calls and callbacks (ringback.accounts.alert_contacts)."""
from pool_api.web import app, now, scope, version, versioned
from ringback.accounts.alert_contacts import CONTACTS
from ringback.accounts.tenants import WRITE
from ringback.adapters.web import DASHBOARD_USERS
from ringback.bootstrap import services


@app.route("/v1/sites/{site}/alert-contacts", methods=["GET"], authorizer=DASHBOARD_USERS)
def get_alert_contacts(site):
    return versioned(*services().alert_contacts.get(scope(), site))


@app.route("/v1/sites/{site}/alert-contacts", methods=["PUT"], authorizer=DASHBOARD_USERS)
def replace_alert_contacts(site):
    body = app.valid_body(CONTACTS)
    return versioned(*services().alert_contacts.replace(scope(WRITE), site, body, version(), now()))
