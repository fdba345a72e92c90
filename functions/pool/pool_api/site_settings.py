"""A site's inbound routing and callback widget (ringback.accounts.site_settings), and its
tracking numbers, their channel rules and the order the rules apply in
(ringback.tracking.rule_order). All are versioned by the site: GET gives its ETag, a
change sends it back as If-Match."""
from urllib.parse import unquote

from pool_api.web import app, now, scope, version, versioned
from ringback.accounts.site_settings import ROUTING, WIDGET, routing_json, widget_json
from ringback.accounts.tenants import WRITE
from ringback.adapters.web import DASHBOARD_USERS
from ringback.bootstrap import services
from ringback.tracking.rule_order import CHANNEL_CHANGE, RULE_ORDER, route_json


@app.route("/v1/sites/{site}/routing", methods=["GET"], authorizer=DASHBOARD_USERS)
def get_routing(site):
    found = services().site_settings.site(scope(), site)
    return versioned(routing_json(found), found.version)


@app.route("/v1/sites/{site}/routing", methods=["PUT"], authorizer=DASHBOARD_USERS)
def replace_routing(site):
    body = app.valid_body(ROUTING)
    changed = services().site_settings.set_routing(scope(WRITE), site, body, version(), now())
    return versioned(routing_json(changed), changed.version)


@app.route("/v1/sites/{site}/numbers/{number}/routing", methods=["GET"], authorizer=DASHBOARD_USERS)
def get_number_routing(site, number):
    found = services().site_settings.site(scope(), site)
    number = services().site_settings.tracking_number(found, unquote(number))
    return versioned(routing_json(found, number), found.version)


@app.route("/v1/sites/{site}/numbers/{number}/routing", methods=["PUT"], authorizer=DASHBOARD_USERS)
def replace_number_routing(site, number):
    body = app.valid_body(ROUTING)
    changed = services().site_settings.set_routing(scope(WRITE), site, body, version(), now(), number=unquote(number))
    number = services().site_settings.tracking_number(changed, unquote(number))
    return versioned(routing_json(changed, number), changed.version)


@app.route("/v1/sites/{site}/numbers/{number}/routing", methods=["DELETE"], authorizer=DASHBOARD_USERS)
def clear_number_routing(site, number):
    """The number follows the site's routing again."""
    changed = services().site_settings.clear_number_routing(scope(WRITE), site, unquote(number), version(), now())
    number = services().site_settings.tracking_number(changed, unquote(number))
    return versioned(routing_json(changed, number), changed.version)


@app.route("/v1/sites/{site}/widget", methods=["GET"], authorizer=DASHBOARD_USERS)
def get_widget(site):
    found = services().site_settings.site(scope(), site)
    return versioned(widget_json(found, now()), found.version)


@app.route("/v1/sites/{site}/widget", methods=["PUT"], authorizer=DASHBOARD_USERS)
def replace_widget(site):
    body = app.valid_body(WIDGET)
    changed = services().site_settings.set_widget(scope(WRITE), site, body, version(), now())
    return versioned(widget_json(changed, now()), changed.version)


@app.route("/v1/sites/{site}/numbers", methods=["GET"], authorizer=DASHBOARD_USERS)
def list_site_numbers(site):
    found, numbers = services().site_rules.numbers(scope(), site)
    return versioned({"numbers": numbers}, found.version)


@app.route("/v1/sites/{site}/numbers/{number}", methods=["PATCH"], authorizer=DASHBOARD_USERS)
def change_number_channel(site, number):
    body = app.valid_body(CHANNEL_CHANGE)
    changed, entry = services().site_rules.set_channel(scope(WRITE), site, unquote(number), body["channel"],
                                                      version(), now())
    return versioned(entry, changed.version)


def _order(found, routes):
    return versioned({"order": [r.target for r in routes], "routes": [route_json(r) for r in routes]}, found.version)


@app.route("/v1/sites/{site}/rule-order", methods=["GET"], authorizer=DASHBOARD_USERS)
def get_rule_order(site):
    return _order(*services().site_rules.order(scope(), site))


@app.route("/v1/sites/{site}/rule-order", methods=["PUT"], authorizer=DASHBOARD_USERS)
def replace_rule_order(site):
    body = app.valid_body(RULE_ORDER)
    return _order(*services().site_rules.set_order(scope(WRITE), site, body["order"], version(), now()))
