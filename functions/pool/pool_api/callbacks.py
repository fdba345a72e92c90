"""A site's callback dial settings: the hunt group, rings and retries, hours, countries and
the caller ID (ringback.callbacks.settings); the widget's own keys are /widget's."""
from pool_api.web import app, now, scope, version, versioned
from ringback.accounts.tenants import WRITE
from ringback.adapters.web import DASHBOARD_USERS
from ringback.bootstrap import services
from ringback.callbacks.settings import CALLBACK_SETTINGS


@app.route("/v1/sites/{site}/callbacks", methods=["GET"], authorizer=DASHBOARD_USERS)
def get_callback_settings(site):
    return versioned(*services().callback_settings.get(scope(), site))


@app.route("/v1/sites/{site}/callbacks", methods=["PUT"], authorizer=DASHBOARD_USERS)
def replace_callback_settings(site):
    body = app.valid_body(CALLBACK_SETTINGS)
    return versioned(*services().callback_settings.replace(scope(WRITE), site, body, version(), now()))
