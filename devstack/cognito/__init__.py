"""The local user pool, as strict as Cognito: installed into the moto server process
(devstack/moto_server.py).

moto's cognito-idp issues real JWTs, but takes any password in SRP (it never checks the
client's proof), checks no password against the pool's policy on most paths, ignores
the confirmation code, lets every app client use every auth flow, and sends no e-mail.
In AWS each of those requests would fail, so here they fail too, with Cognito's
exception and message (errors.py):

1. Passwords. The pool's PasswordPolicy, on every operation that sets a password, and
   temporary passwords that expire (passwords.py).
2. Sign-in. USER_PASSWORD_AUTH compares the password; USER_SRP_AUTH checks the client's
   proof against the stored password (sign_in.py, the SRP math in srp.py).
3. Auth flows. Only those the app client's ExplicitAuthFlows allow (sign_in.py).
4. Codes and the mailbox. Codes and invitations go to a local mailbox instead of an
   e-mail, and only the latest code of its kind, unexpired, confirms (codes.py,
   mailbox.py: GET /_local/mailbox?to=<email>).
5. Tokens. The ID token carries the user's attributes (email, email_verified as a
   boolean) and both tokens live as long as the app client says (pool.py).

backend.py patches moto's backend with these rules, responses.py what its responses
answer, and install() puts all of it in place.
"""
from devstack.cognito.backend import install
from devstack.cognito.mailbox import MailboxEndpoint

__all__ = ["MailboxEndpoint", "install"]
