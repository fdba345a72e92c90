"""Members, roles, invitations, a new user's first sign-in, API keys and the audit log,
on the in-memory fakes."""
import pytest

from ringback.accounts.api_keys import ApiKeys
from ringback.accounts.audit import Audit
from ringback.accounts.members import Members, own_tenant_id
from ringback.accounts.tenants import Principal, Tenant, resolve_scope
from ringback.adapters.memory_accounts import (
    MemoryApiKeys,
    MemoryAuditLog,
    MemoryInvitations,
    MemoryTenants,
    MemoryUserInviter,
)
from ringback.adapters.memory_usage import MemoryUsageMeter
from ringback.errors import Conflict, Forbidden, InvalidInput, Unauthenticated, Unavailable

NOW = 1_780_000_000_000
ANN = Principal("sub-ann", "ann@plumbing.example")
BOB = Principal("sub-bob", "bob@plumbing.example")
CAT = Principal("sub-cat", "cat@elsewhere.example")


@pytest.fixture
def world():
    tenants, log = MemoryTenants(), MemoryAuditLog()
    audit = Audit(log)
    members = Members(tenants, MemoryInvitations(), audit, MemoryUserInviter())
    return tenants, members, ApiKeys(MemoryApiKeys(), audit, MemoryUsageMeter()), audit


def scope(tenants, principal, tenant=None):
    return resolve_scope(tenants, principal, tenant)


def test_a_new_users_first_sign_in_opens_their_tenant_once(world):
    tenants, members, _, audit = world
    [first] = members.sign_in(ANN, NOW)
    assert first.role == "owner" and first.tenant_id == own_tenant_id(ANN.user_id)
    assert tenants.get(first.tenant_id).name == "plumbing.example"
    # Every later sign-in finds the same tenant, and opens no other.
    assert members.sign_in(ANN, NOW + 1) == [first]
    entries = audit.read(scope(tenants, ANN))["entries"]
    assert [e["action"] for e in entries] == ["tenant.opened"] and entries[0]["actor"] == "user:sub-ann"


def test_an_invited_user_joins_the_inviting_tenant_and_gets_none_of_their_own(world):
    tenants, members, _, _ = world
    members.sign_in(ANN, NOW)
    ann = scope(tenants, ANN)
    invitation = members.invite(ann, "  Bob@Plumbing.Example ", "analyst", NOW)
    assert invitation.email == "bob@plumbing.example"
    [bob] = members.sign_in(BOB, NOW + 5)
    assert (bob.tenant_id, bob.role) == (ann.tenant_id, "analyst")
    assert members.list(ann)["invitations"] == []  # taken
    assert tenants.get(own_tenant_id(BOB.user_id)) is None


def test_an_expired_invitation_is_not_taken(world):
    tenants, members, _, _ = world
    members.sign_in(ANN, NOW)
    members.invite(scope(tenants, ANN), BOB.email, "admin", NOW)
    [bob] = members.sign_in(BOB, NOW + 15 * 86_400_000)
    assert bob.tenant_id == own_tenant_id(BOB.user_id) and bob.role == "owner"


def test_roles_decide_who_may_manage_members(world):
    tenants, members, _, _ = world
    members.sign_in(ANN, NOW)
    tenant = scope(tenants, ANN).tenant_id
    members.invite(scope(tenants, ANN), BOB.email, "admin", NOW)
    members.invite(scope(tenants, ANN), CAT.email, "analyst", NOW)
    members.sign_in(BOB, NOW)
    members.sign_in(CAT, NOW)
    cat, bob = scope(tenants, CAT, tenant), scope(tenants, BOB, tenant)
    with pytest.raises(Forbidden) as refused:
        members.invite(cat, "dan@plumbing.example", "analyst", NOW)
    assert refused.value.code == "role_forbidden"
    with pytest.raises(Forbidden):  # an admin may not make owners
        members.change_role(bob, CAT.user_id, "owner", NOW)
    assert members.change_role(bob, CAT.user_id, "billing", NOW).role == "billing"
    with pytest.raises(Forbidden):  # nor remove one
        members.remove(bob, ANN.user_id, NOW)
    members.remove(bob, CAT.user_id, NOW)
    assert [m["userId"] for m in members.list(bob)["members"]] == ["sub-ann", "sub-bob"]
    with pytest.raises(InvalidInput) as bad:
        members.invite(bob, "not-an-address", "analyst", NOW)
    assert bad.value.details == {"field": "email"}


def test_a_tenant_keeps_its_last_owner(world):
    tenants, members, _, _ = world
    members.sign_in(ANN, NOW)
    ann = scope(tenants, ANN)
    for attempt in (lambda: members.leave(ann, ANN, NOW), lambda: members.remove(ann, ANN.user_id, NOW),
                    lambda: members.change_role(ann, ANN.user_id, "admin", NOW)):
        with pytest.raises(Conflict) as kept:
            attempt()
        assert kept.value.code == "last_owner"
    members.invite(ann, BOB.email, "owner", NOW)
    members.sign_in(BOB, NOW)
    members.leave(ann, ANN, NOW)  # another owner now holds it
    assert tenants.memberships_of(ANN.user_id) == []


def test_an_api_key_is_shown_once_stored_hashed_and_revocable(world):
    tenants, members, keys, audit = world
    members.sign_in(ANN, NOW)
    ann = scope(tenants, ANN)
    key, secret = keys.create(ann, "CRM sync", "read", NOW + 1)
    assert secret.startswith("rbk_") and secret not in repr(keys.list(ann)) and key.secret_hash not in secret
    principal = keys.authenticate(secret, NOW + 61_000)
    assert (principal.key_tenant, principal.key_access) == (ann.tenant_id, "read")
    assert keys.list(ann)[0].last_used_at == NOW + 61_000
    key_scope = scope(tenants, principal)
    assert key_scope.tenant_id == ann.tenant_id and "write" not in key_scope.permissions
    with pytest.raises(Forbidden):  # a key does not reach another tenant, even by name
        scope(tenants, principal, "someone-else")
    with pytest.raises(Forbidden):  # nor mints keys
        keys.create(scope(tenants, principal), "more", "write", NOW)
    keys.revoke(ann, key.key_id, NOW + 62_000)
    for token in (secret, secret[:-1] + ("A" if secret[-1] != "A" else "B"), "rbk_nothing", ""):
        with pytest.raises(Unauthenticated):
            keys.authenticate(token, NOW + 63_000)
    actions = [e["action"] for e in audit.read(ann)["entries"]]
    assert actions == ["api_key.revoked", "api_key.created", "tenant.opened"]


def test_only_owners_read_the_audit_log(world):
    tenants, members, _, audit = world
    members.sign_in(ANN, NOW)
    members.invite(scope(tenants, ANN), BOB.email, "admin", NOW)
    members.sign_in(BOB, NOW)
    with pytest.raises(Forbidden):
        audit.read(scope(tenants, BOB))
    page = audit.read(scope(tenants, ANN), limit=1)
    assert len(page["entries"]) == 1 and page["cursor"]
    rest = audit.read(scope(tenants, ANN), limit=10, cursor=page["cursor"])
    assert len(rest["entries"]) == 2 and rest["cursor"] is None


def test_an_agency_member_acts_inside_a_client_and_a_clients_user_sees_only_their_account(world):
    tenants, members, _, _ = world
    tenants.save(Tenant("agency", "Agency", kind="agency"))
    tenants.save(Tenant("client", "Client", parent_id="agency"))
    tenants.save(Tenant("other", "Other", parent_id="agency"))
    from ringback.accounts.tenants import Membership
    tenants.add_member(Membership("agency", ANN.user_id, ANN.email, "admin"))
    tenants.add_member(Membership("client", CAT.user_id, CAT.email, "owner"))
    assert scope(tenants, ANN, "client").tenant_id == "client"
    assert scope(tenants, CAT).readable == frozenset({"client"})
    with pytest.raises(Forbidden):
        scope(tenants, CAT, "other")


def test_an_agency_opens_a_client_and_invites_its_owner(world):
    tenants, members, _, _ = world
    tenants.save(Tenant("agency", "Agency", kind="agency"))
    from ringback.accounts.tenants import Membership
    tenants.add_member(Membership("agency", ANN.user_id, ANN.email, "admin"))
    client = members.open_client(scope(tenants, ANN), "Joe's Plumbing", NOW)
    inside = scope(tenants, ANN, client.tenant_id)
    members.invite(inside, CAT.email, "admin", NOW)
    [cat] = members.sign_in(CAT, NOW)
    assert cat.tenant_id == client.tenant_id
    assert scope(tenants, CAT).readable == frozenset({client.tenant_id})
    assert [c.name for c in members.clients(scope(tenants, ANN))] == ["Joe's Plumbing"]
    with pytest.raises(Forbidden) as refused:  # a customer is no agency
        members.open_client(scope(tenants, CAT), "Sub-client", NOW)
    assert refused.value.code == "not_an_agency"


# -- invitations reach the invitee by e-mail ------------------------------------------------


@pytest.fixture
def mail():
    """(tenants, members, the user pool that e-mails invitations, audit), ANN an owner."""
    tenants, users, audit = MemoryTenants(), MemoryUserInviter(), Audit(MemoryAuditLog())
    members = Members(tenants, MemoryInvitations(), audit, users)
    members.sign_in(ANN, NOW)
    return tenants, members, users, audit


def test_an_invitation_emails_a_new_address_its_temporary_password(mail):
    tenants, members, users, audit = mail
    ann = scope(tenants, ANN)
    invitation = members.invite(ann, "Bob@Plumbing.Example", "analyst", NOW)
    assert invitation.emailed is True and invitation.as_json()["emailed"] is True
    assert users.sent == ["bob@plumbing.example"]
    [created] = [e for e in audit.read(ann)["entries"] if e["action"] == "invitation.created"]
    assert created["after"]["emailed"] is True
    # What was sent is the inviting request's to tell; the stored invitation is the same one.
    [listed] = members.list(ann)["invitations"]
    assert listed["invitationId"] == invitation.invitation_id and "emailed" not in listed
    [bob] = members.sign_in(BOB, NOW + 1)
    assert (bob.tenant_id, bob.role) == (ann.tenant_id, "analyst")


def test_an_address_with_an_account_is_sent_nothing_and_joins_at_its_next_sign_in(mail):
    tenants, members, users, _ = mail
    users.signed_up(BOB.email)
    invitation = members.invite(scope(tenants, ANN), BOB.email, "admin", NOW)
    assert invitation.emailed is False and invitation.as_json()["emailed"] is False
    assert users.sent == []
    [bob] = members.sign_in(BOB, NOW + 1)
    assert (bob.tenant_id, bob.role) == (scope(tenants, ANN).tenant_id, "admin")


def test_an_unconfirmed_sign_up_is_sent_nothing_and_joins_once_confirmed(mail):
    tenants, members, users, _ = mail
    users.signed_up(BOB.email, confirmed=False)
    assert members.invite(scope(tenants, ANN), BOB.email, "analyst", NOW).emailed is False
    assert users.sent == []
    # Confirmed, Bob signs in with the verified address and takes the invitation.
    [bob] = members.sign_in(BOB, NOW + 86_400_000)
    assert bob.tenant_id == scope(tenants, ANN).tenant_id


def test_an_invitee_who_has_not_set_a_password_is_emailed_a_fresh_one_by_each_invitation(mail):
    tenants, members, users, _ = mail
    members.invite(scope(tenants, ANN), CAT.email, "analyst", NOW)
    agency = Tenant("agency", "Agency", kind="agency")
    tenants.save(agency)
    from ringback.accounts.tenants import Membership
    tenants.add_member(Membership("agency", BOB.user_id, BOB.email, "owner"))
    assert members.invite(scope(tenants, BOB, "agency"), CAT.email, "billing", NOW + 1).emailed is True
    assert users.sent == [CAT.email, CAT.email]
    users.set_password(CAT.email)
    assert members.invite(scope(tenants, BOB, "agency"), "CAT@elsewhere.example", "admin", NOW + 2).emailed is False
    assert len(users.sent) == 2
    # Her first sign-in takes both tenants' invitations.
    assert {m.tenant_id for m in members.sign_in(CAT, NOW + 3)} == {scope(tenants, ANN).tenant_id, "agency"}


def test_an_invitation_whose_email_could_not_be_sent_is_not_kept(mail):
    tenants, _, _, audit = mail

    class PoolDown:
        def invite(self, email):
            raise Unavailable("the invitation e-mail could not be sent now", code="invitation_not_sent")

    members = Members(tenants, MemoryInvitations(), audit, PoolDown())
    ann = scope(tenants, ANN)
    with pytest.raises(Unavailable):
        members.invite(ann, BOB.email, "analyst", NOW)
    assert members.list(ann)["invitations"] == []
    assert "invitation.created" not in {e["action"] for e in audit.read(ann)["entries"]}
    # Bob, signing up anyway, is not joined to a tenant whose manager was told it failed.
    [bob] = members.sign_in(BOB, NOW + 1)
    assert bob.tenant_id == own_tenant_id(BOB.user_id)
