"""`make dev`: the whole product on this machine.

    python -m devstack [--port 8000] [--site-port 8001] [--moto-port 4566]

Starts moto (AWS), creates every table, bucket and the user pool from the same
definitions the CDK app uses, serves the API and the frontend on one port, sets up the
demo tenant through that API as a customer would (devstack/demo.py), serves the demo
customer site on another port, prints the URLs, then gives the demo tenant its first visits,
calls and callbacks in the background (devstack/demo_traffic.py; --no-demo-traffic skips
it), and stops it all on Ctrl-C (or SIGTERM).
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import signal
import sys
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "functions"))

from devstack import aws, template  # noqa: E402
from devstack.carrier import Carrier, Party  # noqa: E402
from devstack.demo import DEMO_DESTINATION, DEMO_EMAIL, DEMO_PASSWORD, create_demo  # noqa: E402
from devstack.demo_traffic import DemoTraffic, describe  # noqa: E402
from devstack.functions import LocalFunctions, function_name  # noqa: E402
from devstack.gateway import (  # noqa: E402
    Authorizer,
    EdgeConfigCache,
    EdgeScripts,
    LocalApi,
    StaticFiles,
    UsagePlanMeters,
    cloudfront_invalidations,
    edge_handler,
    serve,
    static_handler,
)
from devstack.lambdas import LocalLambda  # noqa: E402
from devstack.queues import QueuePoller, reports_item_failures  # noqa: E402
from devstack.shutdown import die_with_parent, stop_together  # noqa: E402
from devstack.streams import StreamPoller  # noqa: E402
from infra.edge_routes import REDIRECT, REWRITE, STABLE_SCRIPTS_MODE  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="API and frontend (what CloudFront serves)")
    parser.add_argument("--site-port", type=int, default=8001, help="the demo customer's website")
    parser.add_argument("--moto-port", type=int, default=4566, help="the local AWS endpoint")
    parser.add_argument("--carrier-port", type=int, default=8002, help="the local carrier (Twilio's API)")
    parser.add_argument("--time-scale", type=float, default=1.0,
                        help="real seconds per simulated second on the phone network (tests use 0.01)")
    parser.add_argument("--clock-scale", type=float, default=1.0,
                        help="real seconds per product second: the product's clock and the callback workflow's "
                             "waits run this much faster (tests use it to reach the next opening in seconds)")
    parser.add_argument("--operator", choices=("manual", "scripted"), default="manual",
                        help="the demo operator's phone: answered by hand on the phone page (manual), "
                             "or answering after 4 s and talking for 30 (scripted, what the tests use)")
    parser.add_argument("--no-demo-traffic", dest="demo_traffic", action="store_false",
                        help="leave the demo tenant without traffic (tests that count what they make use this); "
                             "by default a few visits, calls and callbacks are placed once the stack is up")
    parser.add_argument("--state-dir", type=Path, default=REPO / ".devstack", help="logs")
    parser.add_argument("--template", type=Path, default=None,
                        help="the synthesized local stage whose IAM policies the functions run with "
                             "(default: synthesized from infra/, cached in .devstack/cache/)")
    parser.add_argument("--stable-scripts", choices=(REWRITE, REDIRECT),
                        default=os.environ.get("RINGBACK_STABLE_SCRIPTS") or STABLE_SCRIPTS_MODE,
                        help="how the snippet's /v1/swap.js reaches the hashed script: the distribution's "
                             f"choice ({STABLE_SCRIPTS_MODE}) unless told (bench/swap.py measures both)")
    args = parser.parse_args(argv)

    started = time.monotonic()
    die_with_parent()  # when a test or benchmark started this stack (devstack/shutdown.py)
    args.state_dir.mkdir(parents=True, exist_ok=True)
    # The template is synthesized (or read from the cache) while moto starts.
    synthesis = _Background(lambda: template.synthesized(args.template))
    # Lambda's Invoke API for the Step Functions engine: bound now so moto knows where it is.
    lambdas = LocalLambda({}, args.host)
    moto = aws.MotoServer(args.moto_port, log_path=args.state_dir / "moto.log", lambda_url=lambdas.url,
                          enforce_iam=True)
    carrier = Carrier(port=args.carrier_port, auth_token=aws.CARRIER_AUTH_TOKEN,
                      account_sid=aws.CARRIER_ACCOUNT_SID, time_scale=args.time_scale)
    servers = []
    stoppers = []
    functions = None
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    # Ctrl-C must stop the stack even when it was started with SIGINT ignored (a parent
    # shell's background job, nohup: Python then installs no handler of its own).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        # Inside the try: if anything after it fails (a port taken), moto is stopped too.
        moto.start()
        public_url = f"http://{args.host}:{args.port}"
        carrier.start()
        settings = aws.local_settings(moto.url, public_url, carrier_url=carrier.url)
        events_url, events_arn = aws.create_events_queue(settings)
        # One product clock for every process: each function's starts from the same origin.
        settings = dataclasses.replace(settings, events_queue_url=events_url, time_scale=args.clock_scale,
                                       time_origin_ms=time.time_ns() // 1_000_000)
        settings = dataclasses.replace(settings, dial_workflow_arn=aws.create_dial_workflow(settings))
        # The carrier's credentials reach the functions through the application secret.
        settings = dataclasses.replace(settings, secrets_arn=aws.create_app_secrets(settings),
                                       twilio_account_sid=None, twilio_auth_token=None)
        # The distribution whose cache of the sites' config the pool function invalidates.
        settings = dataclasses.replace(settings, distribution_id=aws.create_distribution(settings))
        # The functions read their settings from the environment, as in Lambda.
        os.environ.update(aws.LOCAL_CREDENTIALS)
        os.environ.update(settings.as_environment())
        os.environ.setdefault("POWERTOOLS_TRACE_DISABLED", "true")
        os.environ.setdefault("POWERTOOLS_METRICS_NAMESPACE", "Ringback")

        aws.create_tables(settings)
        aws.create_buckets(settings)
        aws.create_usage_plans(settings, synthesis.result())
        user_pool = aws.create_user_pool(settings, synthesis.result())
        # The authorizer trusts this pool's tokens for this client, as in AWS.
        settings = dataclasses.replace(settings, user_pool_id=user_pool.pool_id,
                                       user_pool_client_id=user_pool.client_id)
        os.environ.update(settings.as_environment())

        from infra.catalog import DASHBOARD_CONFIG, FRONTEND_DIR, FUNCTIONS, load_app

        # The demo operator answers on the phone page (manual) or after a few rings (scripted).
        operator = {"outcome": "interactive"} if args.operator == "manual" else {"answer_after": 4, "talk_for": 30}
        carrier.script(DEMO_DESTINATION, Party.from_json(operator))

        # Each function in its own process, with its environment and its role's
        # credentials; moto holds those to the role's policy from the template.
        functions = LocalFunctions(settings, synthesis.result(), FUNCTIONS, args.state_dir)
        stoppers.append(functions.stop)
        functions.start()
        apps = {spec.name: load_app(spec.name) for spec in FUNCTIONS}
        # Lambda's SQS event source, locally: the dialer's events worker posts call events
        # to the sites' webhooks.
        # Its partial batch response is honoured if the template's mapping asks for it.
        poller = QueuePoller(aws.client("sqs", settings), events_url, events_arn,
                             functions.handler(function_name(settings, "dialer", "events")),
                             reports_item_failures(synthesis.result(), "call_events")).start()
        stoppers.append(poller.stop)
        # Lambda's DynamoDB Streams event source: the reports function turns the streamed
        # tables' changes into Parquet in the analytics bucket.
        from ringback.analytics.pipeline import STREAMED_TABLES

        streams = StreamPoller.for_tables(
            aws.client("dynamodb", settings), aws.client("dynamodbstreams", settings),
            [settings.table_name(table.source) for table in STREAMED_TABLES],
            functions.handler(function_name(settings, "reports", "changes")), settings.region,
        ).start()
        stoppers.append(streams.stop)
        # The callback workflow's task handler, as the state machine names it, is the
        # dialer's process.
        for name in functions.served_by:
            lambdas.handlers[name] = functions.url_of(name)
        lambdas.start()
        stoppers.append(lambdas.stop)

        authorizer_name = function_name(settings, "pool", "authorizer")
        authorizer = Authorizer(lambda event: functions.invoke(authorizer_name, event, timeout=10),
                                meters=UsagePlanMeters(aws.client("apigateway", settings)))
        api = LocalApi(apps, authorizer,
                       invoke=lambda name, event: functions.invoke(function_name(settings, name), event, timeout=29))
        frontend = StaticFiles(FRONTEND_DIR, generated={DASHBOARD_CONFIG: user_pool.dashboard_config()})
        # What CloudFront serves without a function: the scripts (built now, as a deploy
        # publishes them) and the sites' config from its cache.
        scripts = EdgeScripts(FRONTEND_DIR / "scripts", args.stable_scripts).build()
        config_cache = EdgeConfigCache(cloudfront_invalidations(aws.client("cloudfront", settings),
                                                                settings.distribution_id))
        servers.append(serve(args.host, args.port, edge_handler(api, frontend, scripts, config_cache)))
        # The demo business signs up and sets itself up through the API now serving; the
        # numbers it buys ring the voice URL set at purchase, as Twilio's do.
        demo = create_demo(public_url, moto.url, user_pool.client_id,
                           lambda email, password: aws.sign_in(settings, user_pool, email, password))
        site_files = StaticFiles(
            FRONTEND_DIR / "demo",
            {"RINGBACK_URL": public_url, "SITE_KEY": demo.site_key},
        )
        servers.append(serve(args.host, args.site_port, static_handler(site_files)))

        print(
            "\n".join(
                [
                    f"Ringback local stack is up ({time.monotonic() - started:.1f} s)",
                    f"  API + frontend     {public_url}   (health: {public_url}/health)",
                    f"  dashboard          {public_url}/app/   (sign in as {DEMO_EMAIL} / {DEMO_PASSWORD})",
                    f"  demo customer site http://localhost:{args.site_port}/",
                    f"  site config        {public_url}/v1/sites/{demo.site_key}/config"
                    f"  (Origin: http://localhost:{args.site_port})",
                    f"  local AWS (moto)   {moto.url}   (callback workflow {settings.dial_workflow_arn})",
                    f"  local carrier      {carrier.url}   (Twilio's REST API; /_carrier/inbound places a call)",
                    f"  phone page         {carrier.url}/_carrier/phone   (call a tracking number, answer as"
                    f" {DEMO_DESTINATION}: operator {args.operator})",
                    f"  dashboard user     {DEMO_EMAIL} / {DEMO_PASSWORD}"
                    f"  (user pool {user_pool.pool_id}, client {user_pool.client_id}; SRP sign-in only)",
                    f"  local mailbox      {moto.url}/_local/mailbox?to=ADDRESS   (sign-up codes, as e-mails)",
                    f"  demo tenant        {demo.tenant_id}: site {demo.site_id} (site key {demo.site_key}),"
                    f" pool {demo.pool_id} ({demo.pool_size} numbers), static {demo.static_number}",
                    *(["  demo traffic       visits, calls and callbacks are being placed (the operator's phone"
                       " answers by itself until they are in)"] if args.demo_traffic else []),
                    "Ctrl-C stops everything.",
                ]
            ),
            flush=True,
        )
        if args.demo_traffic:
            traffic = DemoTraffic(public_url, f"http://localhost:{args.site_port}", carrier.url, demo.site_key,
                                  demo.static_number,
                                  lambda: aws.sign_in(settings, user_pool, DEMO_EMAIL, DEMO_PASSWORD), operator, stop)
            threading.Thread(target=_place_demo_traffic, args=(traffic, f"{public_url}/app/", stop),
                             name="demo-traffic", daemon=True).start()
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        # Ctrl-C, wherever it lands (while starting, while printing the banner, or while
        # waiting): the same clean stop below, and exit status 0.
        pass
    finally:
        stop.set()  # the demo traffic, if still placing, stops without a word
        # All at once: Ctrl-C stops the stack within 2 s (bench/shutdown.py).
        late = stop_together([*reversed(stoppers), *(server.shutdown for server in servers), carrier.stop,
                              moto.stop], seconds=1.5)
        for server in servers:
            server.server_close()
        print("Ringback local stack stopped." + (f" (left running: {', '.join(late)})" if late else ""),
              flush=True)
    return 0


def _place_demo_traffic(traffic: DemoTraffic, dashboard_url: str, stop: threading.Event) -> None:
    """After the banner, so the stack is usable at once: the demo's first day of traffic."""
    started = time.monotonic()
    try:
        summary = traffic.run()
    except Exception as error:  # noqa: BLE001 - said, not raised: the stack itself is fine
        if not stop.is_set():
            print(f"Demo traffic failed: {error}", flush=True)
        return
    print(f"Demo traffic is in: {describe(summary)}, after {time.monotonic() - started:.0f} s."
          f" See them at {dashboard_url}", flush=True)


class _Background:
    """A result computed on another thread, waited for where it is needed."""

    def __init__(self, compute) -> None:
        self._result = self._error = None
        self._thread = threading.Thread(target=self._run, args=(compute,), daemon=True)
        self._thread.start()

    def _run(self, compute) -> None:
        try:
            self._result = compute()
        except BaseException as error:  # noqa: BLE001 - re-raised where the result is read
            self._error = error

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


if __name__ == "__main__":
    try:
        code = main()
    except BaseException:  # noqa: BLE001 - a start-up failure: say why, then exit as below
        import traceback

        traceback.print_exc()
        code = 1
    # Everything was stopped in main(); the interpreter's own teardown of the modules the
    # stack loaded (the functions' apps, boto3, moto's clients) would add a second or more
    # on a busy machine to Ctrl-C, for nothing, and can hang on a lock a daemon thread held.
    sys.stdout.flush(), sys.stderr.flush()
    os._exit(code)
