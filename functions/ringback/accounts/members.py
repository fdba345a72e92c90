"""Who works in a tenant: members, their roles, invitations, and a new user's first sign-in.

A user is a Cognito identity (`sub`, verified e-mail); what they may do is their role in
each tenant (ringback.accounts.tenants.ROLE_PERMISSIONS). An invitation names an e-mail
address, not a user: whoever signs in with that address, verified by the identity
provider, takes it. That is also what the first sign-in does: it takes the invitations
waiting for the address, and only a user nobody invited gets a tenant of their own.

An invitation reaches the invitee through the user pool (ports.UserInviter): a new
address becomes a user with a verified address and is e-mailed a temporary password,
which it replaces at its first sign-in. An address that has a user of its own is sent
nothing and joins at its next sign-in. That includes a user still unconfirmed (signed up,
code not entered yet): their sign-up holds the password they chose, and replacing it on
a manager's word is not ours to do; they join once they confirm (the sign-in screen
offers to resend their code) and sign in.

A tenant never loses its last owner: not by removal, not by a change of role, not by the
owner leaving.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass, field, replace
from typing import Any

from ringback.accounts.audit import Audit
from ringback.accounts.tenants import MANAGE, ROLES, Membership, Principal, Tenant, TenantScope
from ringback.errors import Conflict, Forbidden, InvalidInput, NotFound
from ringback.ports import Invitations, TenantDirectory, UserInviter

INVITATION_DAYS = 14
_EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,255}\.[^@\s]{2,}$")


@dataclass(frozen=True)
class Invitation:
    tenant_id: str
    invitation_id: str
    email: str
    role: str
    invited_by: str
    created_at: int
    expires_at: int
    # Whether making it e-mailed the invitee (False: they had a user already). Known to
    # the request that invites, not stored, so not part of what makes two equal.
    emailed: bool | None = field(default=None, compare=False)

    def as_json(self) -> dict[str, Any]:
        answer: dict[str, Any] = {"invitationId": self.invitation_id, "tenantId": self.tenant_id, "email": self.email,
                  "role": self.role, "invitedBy": self.invited_by, "createdAt": self.created_at,
                  "expiresAt": self.expires_at}
        if self.emailed is not None:
            answer["emailed"] = self.emailed
        return answer


def member_json(m: Membership) -> dict[str, Any]:
    return {"userId": m.user_id, "email": m.email, "role": m.role, "createdAt": m.created_at}


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not _EMAIL.match(email):
        raise InvalidInput("not an e-mail address", code="invalid_email", details={"field": "email"})
    return email


def _role(role: str) -> str:
    if role not in ROLES:
        raise InvalidInput(f"role must be one of {', '.join(ROLES)}", code="invalid_role",
                           details={"field": "role", "allowed": list(ROLES)})
    return role


def own_tenant_id(user_id: str) -> str:
    """The tenant a user's first sign-in opens: derived from the user, so two first
    requests at once open the same one, once."""
    return "t_" + hashlib.sha256(user_id.encode()).hexdigest()[:20]


class Members:
    def __init__(self, tenants: TenantDirectory, invitations: Invitations, audit: Audit,
                 users: UserInviter) -> None:
        self._tenants, self._invitations, self._audit, self._users = tenants, invitations, audit, users

    # -- first sign-in ----------------------------------------------------------------

    def sign_in(self, principal: Principal, now_ms: int) -> list[Membership]:
        """The caller's memberships, after taking the invitations waiting for their
        verified address; a user with neither gets a tenant of their own, as owner.
        Safe to repeat: the dashboard calls it on every sign-in."""
        if principal.key_id is not None:
            raise Forbidden("an API key has no memberships: it belongs to one tenant", code="not_a_user")
        if principal.email:
            for invitation in self._invitations.pending_for(principal.email):
                self._accept(invitation, principal, now_ms)
        memberships = self._tenants.memberships_of(principal.user_id)
        if memberships:
            return memberships
        tenant = Tenant(own_tenant_id(principal.user_id), _name_for(principal.email), created_at=now_ms)
        if self._tenants.create(tenant):
            self._tenants.add_member(Membership(tenant.tenant_id, principal.user_id, principal.email, "owner", now_ms))
            self._audit.record_for(tenant.tenant_id, principal.actor, "tenant.opened", tenant.tenant_id,
                                   None, {"name": tenant.name}, now_ms)
        return self._tenants.memberships_of(principal.user_id)

    def _accept(self, invitation: Invitation, principal: Principal, now_ms: int) -> None:
        if invitation.expires_at > now_ms and self._tenants.get(invitation.tenant_id) is not None:
            existing = {m.tenant_id: m for m in self._tenants.memberships_of(principal.user_id)}
            if invitation.tenant_id not in existing:
                member = Membership(invitation.tenant_id, principal.user_id, principal.email, invitation.role, now_ms)
                self._tenants.add_member(member)
                self._audit.record_for(invitation.tenant_id, principal.actor, "member.joined", principal.user_id,
                                       None, member_json(member), now_ms)
        self._invitations.delete(invitation.tenant_id, invitation.invitation_id)

    # -- an agency's clients --------------------------------------------------------------

    def open_client(self, scope: TenantScope, name: str, now_ms: int) -> Tenant:
        """A client account under the agency the caller manages. The agency's members act
        inside it with their agency role; its own users are invited into it."""
        scope.require(MANAGE)
        agency = self._tenants.get(scope.tenant_id)
        if agency is None or agency.kind != "agency":
            raise Forbidden("only an agency opens client accounts", code="not_an_agency")
        name = (name or "").strip()
        if not 1 <= len(name) <= 200:
            raise InvalidInput("a client needs a name of 1 to 200 characters", code="invalid_name",
                               details={"field": "name"})
        client = Tenant("t_" + secrets.token_hex(10), name, parent_id=agency.tenant_id, created_at=now_ms)
        self._tenants.create(client)
        self._audit.record(scope, "client.opened", client.tenant_id, None, {"name": name}, now_ms)
        return client

    def clients(self, scope: TenantScope) -> list[Tenant]:
        return self._tenants.clients_of(scope.tenant_id)

    # -- managing members ---------------------------------------------------------------

    def list(self, scope: TenantScope) -> dict[str, Any]:
        members = self._tenants.members_of(scope.tenant_id)
        invitations = self._invitations.of_tenant(scope.tenant_id) if MANAGE in scope.permissions else []
        return {"members": [member_json(m) for m in members],
                "invitations": [i.as_json() for i in invitations]}

    def invite(self, scope: TenantScope, email: str, role: str, now_ms: int) -> Invitation:
        scope.require(MANAGE)
        email, role = normalise_email(email), _role(role)
        if role == "owner" and scope.role != "owner":
            raise Forbidden("only an owner may make another owner", code="role_forbidden")
        if any(m.email == email for m in self._tenants.members_of(scope.tenant_id)):
            raise Conflict("that address is a member already", code="already_member", details={"field": "email"})
        invitation = Invitation(scope.tenant_id, "inv_" + secrets.token_hex(8), email, role, scope.actor, now_ms,
                                now_ms + INVITATION_DAYS * 86_400_000)
        # Stored before the e-mail goes: an invitee who signs in at once must find it, or
        # their first sign-in would open a tenant of their own.
        self._invitations.save(invitation)
        try:
            emailed = self._users.invite(email)
        except Exception:
            # The manager is told it failed, so none may stay behind to be taken unseen.
            self._invitations.delete(invitation.tenant_id, invitation.invitation_id)
            raise
        invitation = replace(invitation, emailed=emailed)
        self._audit.record(scope, "invitation.created", invitation.invitation_id, None, invitation.as_json(), now_ms)
        return invitation

    def cancel_invitation(self, scope: TenantScope, invitation_id: str, now_ms: int) -> None:
        scope.require(MANAGE)
        invitation = self._invitations.get(scope.tenant_id, invitation_id)
        if invitation is None:
            raise NotFound("no such invitation", code="unknown_invitation")
        self._invitations.delete(scope.tenant_id, invitation_id)
        self._audit.record(scope, "invitation.cancelled", invitation_id, invitation.as_json(), None, now_ms)

    def change_role(self, scope: TenantScope, user_id: str, role: str, now_ms: int) -> Membership:
        scope.require(MANAGE)
        role = _role(role)
        member = self._member(scope.tenant_id, user_id)
        if "owner" in (role, member.role) and scope.role != "owner":
            raise Forbidden("only an owner may make or unmake an owner", code="role_forbidden")
        if member.role == "owner" and role != "owner":
            self._keep_an_owner(scope.tenant_id, user_id)
        changed = replace(member, role=role)
        self._tenants.add_member(changed)
        self._audit.record(scope, "member.role_changed", user_id, member_json(member), member_json(changed), now_ms)
        return changed

    def remove(self, scope: TenantScope, user_id: str, now_ms: int) -> None:
        scope.require(MANAGE)
        member = self._member(scope.tenant_id, user_id)
        if member.role == "owner":
            if scope.role != "owner":
                raise Forbidden("only an owner may remove an owner", code="role_forbidden")
            self._keep_an_owner(scope.tenant_id, user_id)
        self._tenants.remove_member(scope.tenant_id, user_id)
        self._audit.record(scope, "member.removed", user_id, member_json(member), None, now_ms)

    def leave(self, scope: TenantScope, principal: Principal, now_ms: int) -> None:
        """Any member may leave, whatever their role, unless they are its last owner."""
        member = self._member(scope.tenant_id, principal.user_id)
        if member.role == "owner":
            self._keep_an_owner(scope.tenant_id, principal.user_id)
        self._tenants.remove_member(scope.tenant_id, principal.user_id)
        self._audit.record(scope, "member.left", principal.user_id, member_json(member), None, now_ms)

    def _member(self, tenant_id: str, user_id: str) -> Membership:
        member = next((m for m in self._tenants.members_of(tenant_id) if m.user_id == user_id), None)
        if member is None:
            raise NotFound("no such member", code="unknown_member")
        return member

    def _keep_an_owner(self, tenant_id: str, leaving: str) -> None:
        if not any(m.role == "owner" and m.user_id != leaving for m in self._tenants.members_of(tenant_id)):
            raise Conflict("a tenant keeps at least one owner: make someone else owner first", code="last_owner")


def _name_for(email: str) -> str:
    domain = email.split("@", 1)[1] if "@" in email else ""
    return domain or "My business"
