"""Who may use the dashboard: the Cognito user pool and the dashboard's app client.

A sign-up creates only a Cognito user; what that user may see is decided per tenant by
the members table (ringback.accounts.tenants), so self sign-up is safe to leave open. The API
attaches a Cognito authorizer on this pool to every route whose Chalice app names the
"dashboard-users" authorizer.

Mail: the pool's e-mails (sign-up codes, password resets, invitations) go through SES from
the sender infra.config.mail_sender reads from context. Cognito's own sender sends 50 a
day, enough for a dev stage, which uses it when no sender is given; production never
does: without a sender in context its template takes one as stack parameters, which the
deploy must give.

Sign-ups: the pre sign-up trigger (`check_sign_ups`, the pool function's signup worker)
refuses disposable domains and counts sign-ups per domain and for the pool. Its event
carries no source address, so the rate per IP is a regional WAF web ACL on the pool,
counting each address's requests that make Cognito send an e-mail.
"""
from __future__ import annotations

from aws_cdk import Annotations, CfnParameter, Duration, RemovalPolicy, Stack
from aws_cdk import aws_cognito as cognito
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_wafv2 as wafv2
from constructs import Construct

from infra.catalog import INVITE
from infra.config import MailSender, mail_sender
from infra.constructs import acknowledge

# The name the Chalice apps use (ringback.adapters.web.DASHBOARD_USERS).
DASHBOARD_AUTHORIZER = "dashboard-users"

# The invitation e-mail says how long its temporary password works: one number for both.
TEMPORARY_PASSWORD_DAYS = 3
# What each use of the pool (infra/catalog.py FunctionSpec.user_pool) may call on it. A
# resent invitation is AdminCreateUser too (MessageAction RESEND).
POOL_ACTIONS = {INVITE: ("cognito-idp:AdminCreateUser",)}

# The requests that make Cognito send an e-mail, each address's limited by WAF over its
# window (WAF's smallest limit is 10): a person signs up once and asks for a code or a
# reset a few times; an office behind one NAT rarely signs up ten at once.
MAILING_OPERATIONS = ("SignUp", "ResendConfirmationCode", "ForgotPassword")
MAILING_REQUESTS_PER_IP = 10
MAILING_WINDOW_SECONDS = 600


class AuthConstruct(Construct):
    def __init__(self, scope: Construct, id: str, *, stage: str, retain: bool) -> None:
        super().__init__(scope, id)
        # Production (retain) always mails through SES.
        email, ses_identity = self._email(mail_sender(self.node.try_get_context), require_ses=retain)
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
            email=email,
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
        if ses_identity is not None:
            # The identity the deploy names, which need not be the address (a verified
            # domain): with_ses compares a domain with the address only when both are known.
            pool = self.user_pool.node.default_child
            assert isinstance(pool, cognito.CfnUserPool)
            pool.add_property_override("EmailConfiguration.SourceArn", Stack.of(self).format_arn(
                service="ses", resource="identity", resource_name=ses_identity))
        self.firewall = self._limit_mail_per_address(stage)

    def _email(self, sender: MailSender | None, *,
               require_ses: bool) -> tuple[cognito.UserPoolEmail, str | None]:
        """How the pool sends, and the SES identity given as a stack parameter (if so)."""
        if sender is None and not require_ses:
            Annotations.of(self).add_warning_v2(
                "ringback:cognito-default-sender",
                "The user pool mails from Cognito's default sender (50 e-mails a day): give "
                "-c mailFrom=ADDRESS (README, Mail) to send through SES.")
            return cognito.UserPoolEmail.with_cognito(), None
        if sender is None:
            stack = Stack.of(self)
            address = CfnParameter(
                stack, "MailFromAddress", type="String", allowed_pattern=r"[^@\s]+@[^@\s]+\.[^@\s]+",
                description="The address the dashboard's e-mails come from (sign-up codes, password "
                            "resets, invitations); SES must be allowed to send as it.")
            identity = CfnParameter(
                stack, "MailSesIdentity", type="String", min_length=3,
                description="The SES identity verified in this region for that address: its domain, "
                            "or the address itself.")
            return (cognito.UserPoolEmail.with_ses(from_email=address.value_as_string, from_name="Ringback"),
                    identity.value_as_string)
        return cognito.UserPoolEmail.with_ses(
            from_email=sender.address, from_name=sender.name, reply_to=sender.reply_to,
            ses_verified_domain=sender.ses_identity, ses_region=sender.ses_region,
            configuration_set_name=sender.configuration_set), None

    def _limit_mail_per_address(self, stage: str) -> wafv2.CfnWebACL:
        """A regional web ACL on the pool: each source address may make Cognito send
        MAILING_REQUESTS_PER_IP e-mails per window (the trigger cannot see addresses)."""
        target = wafv2.CfnWebACL.StatementProperty(regex_match_statement=wafv2.CfnWebACL.RegexMatchStatementProperty(
            # single_header is untyped JSON in CloudFormation's schema, keyed as it names it.
            field_to_match=wafv2.CfnWebACL.FieldToMatchProperty(single_header={"Name": "x-amz-target"}),
            regex_string=r"^AWSCognitoIdentityProviderService\.(" + "|".join(MAILING_OPERATIONS) + r")$",
            text_transformations=[wafv2.CfnWebACL.TextTransformationProperty(priority=0, type="NONE")]))
        acl = wafv2.CfnWebACL(
            self, "PoolFirewall",
            name=f"ringback-{stage}-user-pool",
            scope="REGIONAL",
            default_action=wafv2.CfnWebACL.DefaultActionProperty(allow={}),
            visibility_config=_visibility(f"ringback-{stage}-user-pool"),
            rules=[wafv2.CfnWebACL.RuleProperty(
                name="MailingRequestsPerIp", priority=0,
                action=wafv2.CfnWebACL.RuleActionProperty(block={}),
                statement=wafv2.CfnWebACL.StatementProperty(rate_based_statement=wafv2.CfnWebACL.RateBasedStatementProperty(
                    aggregate_key_type="IP", limit=MAILING_REQUESTS_PER_IP,
                    evaluation_window_sec=MAILING_WINDOW_SECONDS, scope_down_statement=target)),
                visibility_config=_visibility("MailingRequestsPerIp"))],
        )
        wafv2.CfnWebACLAssociation(self, "PoolFirewallAssociation", resource_arn=self.user_pool.user_pool_arn,
                                   web_acl_arn=acl.attr_arn)
        return acl

    def check_sign_ups(self, trigger: lambda_.IFunction) -> None:
        """Cognito runs `trigger` (the pool function's signup worker) before every new
        user, and refuses the sign-up when it fails."""
        self.user_pool.add_trigger(cognito.UserPoolOperation.PRE_SIGN_UP, trigger)

    def grant_users(self, grantee: iam.IGrantable, uses: tuple[str, ...]) -> None:
        """The pool's actions a function takes, as infra/catalog.py states them, on this
        pool only."""
        unknown = set(uses) - set(POOL_ACTIONS)
        if unknown or not uses:
            raise ValueError(f"unknown use {sorted(unknown)} of the user pool")
        self.user_pool.grant(grantee, *(action for use in uses for action in POOL_ACTIONS[use]))


def _visibility(name: str) -> wafv2.CfnWebACL.VisibilityConfigProperty:
    return wafv2.CfnWebACL.VisibilityConfigProperty(
        cloud_watch_metrics_enabled=True, metric_name=name, sampled_requests_enabled=True)
