"""One contract, two implementations: the account fakes (ringback.adapters.memory_accounts)
and their DynamoDB adapters (ringback.adapters.dynamo_accounts) on a moto server."""
from dataclasses import replace

import pytest

from ringback.accounts.api_keys import ApiKey
from ringback.accounts.audit import AuditEntry
from ringback.accounts.members import Invitation
from ringback.accounts.tenants import Membership, Tenant
from ringback.adapters import memory_accounts

DAY_MS = 86_400_000


def _backend(request, fake, real):
    if request.param == "memory":
        return fake()
    request.getfixturevalue("local_aws")
    from ringback.adapters import dynamo_accounts

    return getattr(dynamo_accounts, real)()


@pytest.fixture(params=["memory", "dynamodb"])
def tenants(request):
    return _backend(request, memory_accounts.MemoryTenants, "DynamoTenants")


@pytest.fixture(params=["memory", "dynamodb"])
def invitations(request):
    return _backend(request, memory_accounts.MemoryInvitations, "DynamoInvitations")


@pytest.fixture(params=["memory", "dynamodb"])
def api_keys(request):
    return _backend(request, memory_accounts.MemoryApiKeys, "DynamoApiKeys")


@pytest.fixture(params=["memory", "dynamodb"])
def audit_log(request):
    return _backend(request, memory_accounts.MemoryAuditLog, "DynamoAuditLog")


# --- Tenants and members ----------------------------------------------------------------


def test_a_tenant_is_created_once_and_a_second_create_changes_nothing(tenants, uid):
    first = Tenant(uid("t"), "First", kind="agency", plan="pro", retention_days=90, created_at=1)
    assert tenants.create(first) is True
    assert tenants.create(Tenant(first.tenant_id, "Second", created_at=2)) is False
    assert tenants.get(first.tenant_id) == first


def test_a_created_tenant_is_found_like_a_saved_one(tenants, uid):
    agency = Tenant(uid("agency"), "Agency", kind="agency", created_at=1)
    client = Tenant(uid("client"), "Client", parent_id=agency.tenant_id, created_at=2)
    assert tenants.create(agency) and tenants.create(client)
    assert tenants.get(client.tenant_id) == client
    assert tenants.clients_of(agency.tenant_id) == [client]


def test_save_replaces_a_tenant_whatever_create_said(tenants, uid):
    tenant = Tenant(uid("t"), "Old name", created_at=1)
    tenants.create(tenant)
    renamed = Tenant(tenant.tenant_id, "New name", plan="pro", created_at=1)
    tenants.save(renamed)
    assert tenants.get(tenant.tenant_id) == renamed
    assert tenants.create(tenant) is False
    assert tenants.get(tenant.tenant_id) == renamed


def test_members_are_listed_per_tenant_and_per_user(tenants, uid):
    shop, other, ann, bob = uid("shop"), uid("other"), uid("ann"), uid("bob")
    tenants.add_member(Membership(shop, bob, "bob@x.test", "analyst", 2))
    tenants.add_member(Membership(shop, ann, "ann@x.test", "owner", 1))
    tenants.add_member(Membership(other, ann, "ann@x.test", "admin", 3))
    assert tenants.members_of(shop) == [Membership(shop, ann, "ann@x.test", "owner", 1),
                                        Membership(shop, bob, "bob@x.test", "analyst", 2)]
    assert tenants.members_of(other) == [Membership(other, ann, "ann@x.test", "admin", 3)]
    assert sorted(tenants.memberships_of(ann), key=lambda m: m.tenant_id) == tenants.memberships_of(ann)
    assert {m.tenant_id: m.role for m in tenants.memberships_of(ann)} == {shop: "owner", other: "admin"}
    assert tenants.members_of(uid("nobody")) == []


def test_adding_a_member_again_replaces_their_role(tenants, uid):
    shop, ann = uid("shop"), uid("ann")
    tenants.add_member(Membership(shop, ann, "ann@x.test", "analyst", 1))
    tenants.add_member(Membership(shop, ann, "ann@x.test", "admin", 1))
    assert tenants.members_of(shop) == [Membership(shop, ann, "ann@x.test", "admin", 1)]
    assert tenants.memberships_of(ann) == [Membership(shop, ann, "ann@x.test", "admin", 1)]


def test_a_removed_member_leaves_that_tenant_only(tenants, uid):
    shop, other, ann, bob = uid("shop"), uid("other"), uid("ann"), uid("bob")
    tenants.add_member(Membership(shop, ann, "ann@x.test", "owner", 1))
    tenants.add_member(Membership(shop, bob, "bob@x.test", "admin", 2))
    tenants.add_member(Membership(other, bob, "bob@x.test", "owner", 3))
    tenants.remove_member(shop, bob)
    assert [m.user_id for m in tenants.members_of(shop)] == [ann]
    assert tenants.memberships_of(bob) == [Membership(other, bob, "bob@x.test", "owner", 3)]
    tenants.remove_member(shop, bob)  # again: nothing left to remove
    tenants.remove_member(uid("nowhere"), ann)
    assert [m.user_id for m in tenants.members_of(shop)] == [ann]


# --- Invitations ------------------------------------------------------------------------


def invitation(uid, tenant, n, email, role="analyst", at=1_700_000_000_000, days=14):
    return Invitation(uid(tenant), uid(f"inv{n}"), email, role, "user:owner", at, at + days * DAY_MS)


def test_an_invitation_is_read_back_as_saved(invitations, uid):
    saved = invitation(uid, "shop", 1, uid("ann") + "@x.test", role="admin")
    invitations.save(saved)
    assert invitations.get(saved.tenant_id, saved.invitation_id) == saved
    assert invitations.get(saved.tenant_id, uid("inv-unknown")) is None
    assert invitations.get(uid("other"), saved.invitation_id) is None


def test_a_tenant_lists_only_its_own_invitations(invitations, uid):
    email = uid("ann") + "@x.test"
    mine = [invitation(uid, "shop", 2, email), invitation(uid, "shop", 1, uid("bob") + "@x.test")]
    for i in mine:
        invitations.save(i)
    invitations.save(invitation(uid, "other", 3, email))
    assert invitations.of_tenant(uid("shop")) == sorted(mine, key=lambda i: i.invitation_id)
    assert invitations.of_tenant(uid("nobody")) == []


def test_an_address_finds_its_invitations_in_every_tenant_expired_ones_too(invitations, uid):
    email = uid("ann") + "@x.test"
    shop = invitation(uid, "shop", 1, email)
    other = invitation(uid, "other", 2, email, role="admin")
    expired = invitation(uid, "old", 3, email, at=1_600_000_000_000, days=1)
    for i in (shop, other, expired):
        invitations.save(i)
    invitations.save(invitation(uid, "shop", 4, uid("bob") + "@x.test"))
    assert invitations.pending_for(email) == sorted([shop, other, expired],
                                                    key=lambda i: (i.tenant_id, i.invitation_id))
    assert invitations.pending_for(uid("nobody") + "@x.test") == []


def test_saving_an_invitation_again_replaces_it(invitations, uid):
    email = uid("ann") + "@x.test"
    first = invitation(uid, "shop", 1, email, role="analyst")
    invitations.save(first)
    renewed = Invitation(first.tenant_id, first.invitation_id, email, "admin", "user:other", 5, 5 + DAY_MS)
    invitations.save(renewed)
    assert invitations.get(first.tenant_id, first.invitation_id) == renewed
    assert invitations.of_tenant(first.tenant_id) == [renewed]
    assert invitations.pending_for(email) == [renewed]


def test_a_deleted_invitation_is_gone_everywhere_and_deleting_again_is_harmless(invitations, uid):
    email = uid("ann") + "@x.test"
    gone, kept = invitation(uid, "shop", 1, email), invitation(uid, "shop", 2, email)
    invitations.save(gone)
    invitations.save(kept)
    invitations.delete(gone.tenant_id, gone.invitation_id)
    assert invitations.get(gone.tenant_id, gone.invitation_id) is None
    assert invitations.of_tenant(gone.tenant_id) == [kept]
    assert invitations.pending_for(email) == [kept]
    invitations.delete(gone.tenant_id, gone.invitation_id)
    invitations.delete(uid("nobody"), uid("inv-unknown"))
    assert invitations.of_tenant(gone.tenant_id) == [kept]


# --- API keys ---------------------------------------------------------------------------


def api_key(uid, n, tenant="shop", **overrides):
    fields = dict(key_id=uid(f"k{n}"), tenant_id=uid(tenant), name=f"key {n}", access="read",
                  secret_hash="9f" * 32, created_by="user:owner", created_at=1_700_000_000_000)
    fields.update(overrides)
    return ApiKey(**fields)


def test_an_api_key_is_read_back_as_saved(api_keys, uid):
    fresh = api_key(uid, 1)
    used = api_key(uid, 2, access="write", last_used_at=1_700_000_060_000, revoked_at=1_700_000_120_000)
    for key in (fresh, used):
        api_keys.save(key)
    assert api_keys.get(fresh.key_id) == fresh
    assert api_keys.get(used.key_id) == used
    assert api_keys.get(uid("k-unknown")) is None


def test_a_tenant_lists_only_its_own_keys_revoked_ones_too(api_keys, uid):
    mine = [api_key(uid, 2), api_key(uid, 1, revoked_at=5)]
    for key in mine:
        api_keys.save(key)
    api_keys.save(api_key(uid, 3, tenant="other"))
    assert api_keys.of_tenant(uid("shop")) == sorted(mine, key=lambda k: k.key_id)
    assert api_keys.of_tenant(uid("nobody")) == []


def test_revoking_a_key_keeps_its_last_use_and_its_first_revocation(api_keys, uid):
    key = api_key(uid, 1)
    api_keys.save(key)
    api_keys.touch(key.key_id, 1_700_000_400_000)  # a request the revocation raced with
    api_keys.revoke(key.key_id, 1_700_000_500_000)
    api_keys.revoke(key.key_id, 1_700_000_600_000)
    stored = api_keys.get(key.key_id)
    assert (stored.last_used_at, stored.revoked_at) == (1_700_000_400_000, 1_700_000_500_000)
    assert api_keys.of_tenant(uid("shop")) == [stored]
    api_keys.revoke(uid("k-unknown"), 1)
    assert api_keys.get(uid("k-unknown")) is None


def test_a_keys_last_use_only_moves_forward(api_keys, uid):
    key = api_key(uid, 1)
    api_keys.save(key)
    api_keys.touch(key.key_id, 2_000)
    assert api_keys.get(key.key_id).last_used_at == 2_000
    api_keys.touch(key.key_id, 1_000)  # a slower request that began earlier lands later
    assert api_keys.get(key.key_id).last_used_at == 2_000
    api_keys.touch(key.key_id, 2_000)
    api_keys.touch(key.key_id, 3_000)
    stored = api_keys.get(key.key_id)
    assert stored.last_used_at == 3_000
    assert stored == replace(key, last_used_at=3_000)  # nothing else changed


def test_touching_an_unknown_key_creates_nothing(api_keys, uid):
    api_keys.touch(uid("k-unknown"), 1_000)
    assert api_keys.get(uid("k-unknown")) is None


# --- Audit log --------------------------------------------------------------------------


def entry(uid, tenant, at, n=0, before=None, after=None, action="site.updated"):
    return AuditEntry(uid(tenant), f"{at:013d}#{n:08x}", at, "user:ann", action, uid("site"), before, after)


def read_all(log, tenant_id, limit):
    pages, cursor = [], None
    while True:
        page, cursor = log.of_tenant(tenant_id, limit, cursor)
        assert len(page) <= limit
        pages.append(page)
        if cursor is None:
            return pages


def test_an_audit_entry_keeps_its_before_and_after_as_json_values(audit_log, uid):
    changed = entry(uid, "shop", 1_000, before={"recording": True, "hours": [["09:00", "18:00"]], "n": 1},
                    after={"recording": False, "hours": [], "note": None})
    created = entry(uid, "shop", 2_000, before=None, after=["a", 2, 3.5, True], action="member.joined")
    renamed = entry(uid, "shop", 3_000, before="Old", after="New", action="tenant.renamed")
    for e in (changed, created, renamed):
        audit_log.add(e)
    page, cursor = audit_log.of_tenant(uid("shop"), 10, None)
    assert page == [renamed, created, changed]
    assert cursor is None


def test_the_audit_log_pages_newest_first_and_the_cursor_continues_where_a_page_ended(audit_log, uid):
    entries = [entry(uid, "shop", 1_000 + n * 10, n) for n in range(7)]
    entries.append(entry(uid, "shop", 1_030, 99))  # two entries in one millisecond
    for e in entries:
        audit_log.add(e)
    pages = read_all(audit_log, uid("shop"), 3)
    assert [len(p) for p in pages] == [3, 3, 2]
    seen = [e for p in pages for e in p]
    assert seen == sorted(entries, key=lambda e: e.entry_id, reverse=True)
    assert len({e.entry_id for e in seen}) == len(entries)


def test_a_last_full_page_has_no_cursor(audit_log, uid):
    for n in range(4):
        audit_log.add(entry(uid, "shop", 1_000 + n, n))
    first, cursor = audit_log.of_tenant(uid("shop"), 2, None)
    second, after_second = audit_log.of_tenant(uid("shop"), 2, cursor)
    assert [e.at for e in first + second] == [1_003, 1_002, 1_001, 1_000]
    assert after_second is None
    assert audit_log.of_tenant(uid("shop"), 4, None)[1] is None


def test_another_tenants_entries_never_appear_even_with_a_cursor_from_its_log(audit_log, uid):
    mine = [entry(uid, "shop", 1_000 + n * 10, n) for n in range(3)]
    theirs = [entry(uid, "other", 1_005 + n * 10, n) for n in range(3)]
    for e in mine + theirs:
        audit_log.add(e)
    assert [e for p in read_all(audit_log, uid("shop"), 1) for e in p] == mine[::-1]
    _, their_cursor = audit_log.of_tenant(uid("other"), 1, None)
    page, _ = audit_log.of_tenant(uid("shop"), 10, their_cursor)
    assert page and all(e.tenant_id == uid("shop") for e in page)
    assert audit_log.of_tenant(uid("nobody"), 10, None) == ([], None)


def test_a_time_range_reads_only_its_entries_and_pages_within_them(audit_log, uid):
    entries = [entry(uid, "shop", 1_000 + n * 10, n) for n in range(10)]  # at 1000, 1010, ... 1090
    entries.append(entry(uid, "shop", 1_030, 99))  # two in one millisecond, both inside
    for e in entries:
        audit_log.add(e)
    inside = sorted((e for e in entries if 1_020 <= e.at < 1_070), key=lambda e: e.entry_id, reverse=True)
    pages, cursor = [], None
    while True:
        page, cursor = audit_log.of_tenant(uid("shop"), 2, cursor, 1_020, 1_070)
        pages.append(page)
        if cursor is None:
            break
    assert [e for p in pages for e in p] == inside and [len(p) for p in pages] == [2, 2, 2]
    assert audit_log.of_tenant(uid("shop"), 10, None, 1_085, None)[0] == [entries[9]]  # from only
    assert audit_log.of_tenant(uid("shop"), 10, None, None, 1_010)[0] == [entries[0]]  # to only, exclusive
    assert audit_log.of_tenant(uid("shop"), 10, None, 1_001, 1_009) == ([], None)


def test_a_cursor_outside_the_range_starts_at_its_newest_end_or_reads_nothing(audit_log, uid):
    entries = [entry(uid, "shop", 1_000 + n * 10, n) for n in range(10)]
    for e in entries:
        audit_log.add(e)
    above, below = entries[8].entry_id, entries[1].entry_id  # a cursor kept while the range changed
    page, _ = audit_log.of_tenant(uid("shop"), 10, above, 1_030, 1_060)
    assert page == [entries[5], entries[4], entries[3]]
    assert audit_log.of_tenant(uid("shop"), 10, below, 1_030, 1_060) == ([], None)
    assert audit_log.of_tenant(uid("shop"), 10, entries[4].entry_id, 1_030, 1_060)[0] == [entries[3]]


def test_a_tenants_carrier_subaccount_is_kept(tenants, uid):
    tenant = Tenant(uid("t"), "Acme", created_at=1)
    tenants.create(tenant)
    assert tenants.get(tenant.tenant_id).carrier_account is None

    tenants.save(replace(tenant, carrier_account="AC" + "5" * 32))

    assert tenants.get(tenant.tenant_id).carrier_account == "AC" + "5" * 32


def test_a_new_profile_changes_the_name_and_kind_only(tenants, uid):
    tenant = Tenant(uid("t"), "shop.example", created_at=1)
    tenants.create(tenant)
    assert tenants.keep_carrier_account(tenant.tenant_id, "AC" + "1" * 32) == "AC" + "1" * 32
    tenants.set_profile(tenant.tenant_id, "Shop Agency", "agency")
    stored = tenants.get(tenant.tenant_id)
    assert (stored.name, stored.kind, stored.carrier_account) == ("Shop Agency", "agency", "AC" + "1" * 32)
    tenants.set_profile(uid("nobody"), "Ghost", "customer")  # no tenant: nothing created
    assert tenants.get(uid("nobody")) is None
