"""Who may use the dashboard: the Cognito user pool and the dashboard's app client.

A sign-up creates only a Cognito user; what that user may see is decided per tenant by
the members table (ringback.accounts.tenants), so self sign-up is safe to leave open. The API
attaches a Cognito authorizer on this pool to every route whose Chalice app names the
"dashboard-users" authorizer.
"""
from __future__ import annotations

from aws_cdk import Duration, RemovalPolicy
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from constructs import Construct

from infra.catalog import INVITE
from infra.constructs import acknowledge

# The name the Chalice apps use (ringback.adapters.web.DASHBOARD_USERS).
DASHBOARD_AUTHORIZER = "dashboard-users"

# The invitation e-mail says how long its temporary password works: one number for both.
TEMPORARY_PASSWORD_DAYS = 3
# What each use of the pool (infra/catalog.py FunctionSpec.user_pool) may call on it. A
# resent invitation is AdminCreateUser too (MessageAction RESEND).
POOL_ACTIONS = {INVITE: ("cognito-idp:AdminCreateUser",)}


class AuthConstruct(Construct):
    def __init__(self, scope: Construct, id: str, *, stage: str, retain: bool) -> None:
        super().__init__(scope, id)
        self.user_pool = cognito.UserPool(
            self,
            "DashboardUsers",
            user_pool_name=f"ringback-{stage}-dashboard",
            self_sign_up_enabled=True,
            sign_in_aliases=cognito.SignInAliases(email=True),
            sign_in_case_sensitive=False,
            auto_verify=cognito.AutoVerifiedAttrs(email=True),
            keep_original=cognito.KeepOriginalAttrs(email=True),
            standard_attributes=cognito.StandardAttributes(
                email=cognito.StandardAttribute(required=True, mutable=True)
            ),
            password_policy=cognito.PasswordPolicy(
                min_length=12,
                require_lowercase=True,
                require_uppercase=True,
                require_digits=True,
                require_symbols=True,
                temp_password_validity=Duration.days(TEMPORARY_PASSWORD_DAYS),
            ),
            # What an invited colleague receives (ringback.adapters.cognito_users): Cognito
            # fills in their address and a temporary password, replaced at first sign-in.
            user_invitation=cognito.UserInvitationConfig(
                email_subject="You are invited to Ringback",
                email_body=(
                    "You have been invited to a Ringback account. Sign in to the Ringback dashboard "
                    "as {username} with the temporary password {####} and choose your own password. "
                    f"The temporary password works for {TEMPORARY_PASSWORD_DAYS} days; after that, "
                    "ask whoever invited you to invite you again."
                ),
            ),
            mfa=cognito.Mfa.OPTIONAL,
            mfa_second_factor=cognito.MfaSecondFactor(otp=True, sms=False),
            account_recovery=cognito.AccountRecovery.EMAIL_ONLY,
            # Threat protection (compromised-credential and adaptive-authentication
            # checks) exists only on the Plus feature plan.
            feature_plan=cognito.FeaturePlan.PLUS,
            standard_threat_protection_mode=cognito.StandardThreatProtectionMode.FULL_FUNCTION,
            deletion_protection=retain,
            removal_policy=RemovalPolicy.RETAIN if retain else RemovalPolicy.DESTROY,
        )
        acknowledge(
            self.user_pool,
            "COG2",
            "MFA is optional, with TOTP offered to every user: requiring it would stop "
            "self sign-up at the first screen; threat protection covers risky sign-ins.",
        )

        self.dashboard_client = self.user_pool.add_client(
            "Dashboard",
            # A browser app cannot keep a secret.
            generate_secret=False,
            auth_flows=cognito.AuthFlow(user_srp=True),
            # The dashboard signs in with SRP itself; no hosted UI, so no OAuth flows
            # (and no implicit grant) to leave open.
            disable_o_auth=True,
            prevent_user_existence_errors=True,
            enable_token_revocation=True,
            id_token_validity=Duration.hours(1),
            access_token_validity=Duration.hours(1),
            refresh_token_validity=Duration.days(30),
        )

    def grant_users(self, grantee: iam.IGrantable, uses: tuple[str, ...]) -> None:
        """The pool's actions a function takes, as infra/catalog.py states them, on this
        pool only."""
        unknown = set(uses) - set(POOL_ACTIONS)
        if unknown or not uses:
            raise ValueError(f"unknown use {sorted(unknown)} of the user pool")
        self.user_pool.grant(grantee, *(action for use in uses for action in POOL_ACTIONS[use]))
