"""A site with a pool, a static number and rules, on the in-memory adapters."""
from ringback.accounts.provisioning import Directories, add_pool, add_site, add_static_number, open_tenant
from ringback.accounts.sites import Site
from ringback.accounts.tenants import Tenant
from ringback.bootstrap import build_memory_services
from ringback.clock import ManualClock
from ringback.tracking.pools import Pool
from ringback.tracking.sessions import PageContext

START = 1_800_000_000_000
ORIGIN = "https://www.plumbing.example"
OWN = "+14155550100"


def world(pool_size=3, lease_seconds=600, policy="default_number", shards=1, pool_rule=None):
    clock = ManualClock(START)
    svc = build_memory_services(clock)
    dirs = Directories(svc.tenants, svc.sites, svc.pools)
    open_tenant(dirs, Tenant("t1", "Plumbing", retention_days=30), None)
    site = add_site(dirs, Site("s1", "t1", "Main", "pk_1", frozenset({"plumbing.example"}), own_numbers=(OWN,)))
    pool = Pool("p1", "t1", "s1", "search", lease_seconds=lease_seconds, exhaustion_policy=policy, shards=shards,
                rule=pool_rule if pool_rule is not None else {"utm_medium": ["cpc"]})
    numbers = [f"+1415555{n:04d}" for n in range(101, 101 + pool_size)]
    add_pool(dirs, pool, numbers, START)
    add_static_number(dirs, site, "+14155550150", {"referrer_domain": ["yelp.com"]}, START)
    return svc, clock, pool, numbers


def page(client="visitor-0001", session=None, query="?utm_source=google&utm_medium=cpc&utm_term=leak",
         referrer="https://www.google.com/", path="/pricing", country=None, origin=ORIGIN, returning=False,
         language=None):
    viewer = {"cloudfront-viewer-country": country} if country else {}
    return PageContext("pk_1", origin, client, session, f"{ORIGIN}{path}{query}", referrer, viewer,
                       returning=returning, language=language)
