"""Single sign-on with Google or Microsoft: OpenID Connect through Authlib's Flask client.

The site operator registers one app with each provider and sets its client id and secret
(``EDUPLATFORM_SSO_GOOGLE_CLIENT_ID`` ...). Each school then turns sign-on on for its own email
domain (:func:`eduplatform.schools.services.set_single_sign_on`). After the provider signs the
person in, :func:`match_account` finds their account:

* only in a school that chose this provider for the email's domain;
* Google: the address must be verified and belong to the school's Google Workspace (the ``hd``
  claim), so a personal Google account registered with a school address is not enough;
* Microsoft: the token must come from the school's own directory (the ``tid`` claim), because a
  Microsoft account's email is not proof of owning the address;
* by email, within that school only. Nobody is created here: the roster creates people.

Authlib checks the ``state`` (against the session), the ``nonce``, the signature (against the
provider's published keys), the issuer, the audience and the expiry.
"""

from __future__ import annotations

from typing import Any

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc.errors import JoseError
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from eduplatform.accounts.models import User
from eduplatform.db import db
from eduplatform.i18n import _
from eduplatform.schools.models import SSO_PROVIDERS, School

#: How providers are named on buttons and in messages (brand names: not translated).
PROVIDER_NAMES = {"google": "Google", "microsoft": "Microsoft"}
#: Seconds to wait for a provider before telling the person it is not answering.
PROVIDER_TIMEOUT = 10
_EXTENSION = "eduplatform.sso"

#: Everything that can go wrong talking to a provider: unreachable, refused, bad or forged token.
PROVIDER_ERRORS = (requests.RequestException, AuthlibBaseError, JoseError, ValueError, KeyError, RuntimeError)


class SignOnRefusedError(Exception):
    """The provider signed someone in, but they may not use this site; ``str(error)`` says why."""


def init_sso(app: Flask) -> None:
    """Register each provider whose client id is configured, from ``app.config``.

    Called by :func:`create_app`; calling it again after changing the settings starts afresh.
    """
    oauth = OAuth(app)
    for provider in SSO_PROVIDERS:
        prefix = f"SSO_{provider.upper()}_"
        if app.config.get(prefix + "CLIENT_ID"):
            oauth.register(provider, client_id=app.config[prefix + "CLIENT_ID"],
                           client_secret=app.config[prefix + "CLIENT_SECRET"],
                           server_metadata_url=app.config[prefix + "METADATA_URL"],
                           client_kwargs={"scope": "openid email profile", "default_timeout": PROVIDER_TIMEOUT})
    app.extensions[_EXTENSION] = oauth


def _client(provider: str) -> Any:
    return current_app.extensions[_EXTENSION].create_client(provider)


def configured_providers() -> tuple[str, ...]:
    """Providers the operator has set up (a client id is configured)."""
    return tuple(provider for provider in SSO_PROVIDERS if _client(provider) is not None)


def offered_providers() -> tuple[str, ...]:
    """Providers to show on the sign-in page: set up by the operator and chosen by at least one school."""
    configured = configured_providers()
    if not configured:
        return ()
    chosen = set(db.session.scalars(select(School.sso_provider).where(School.sso_provider.in_(configured)).distinct()))
    return tuple(provider for provider in configured if provider in chosen)


def begin_sign_on(provider: str, redirect_uri: str) -> Response:
    """Send the browser to the provider. Raises one of :data:`PROVIDER_ERRORS` when it does not answer."""
    return _client(provider).authorize_redirect(redirect_uri)


def _claims_options(provider: str) -> dict[str, Any] | None:
    """Microsoft's shared endpoint names the issuer ``.../{tenantid}/v2.0``: check it against the token's tenant."""
    if provider != "microsoft":
        return None
    issuer = _client(provider).load_server_metadata()["issuer"]
    return {"iss": {"essential": True,
                    "validate": lambda claims, value: value == issuer.replace("{tenantid}", str(claims.get("tid")))}}


def finish_sign_on(provider: str) -> User:
    """Check the provider's answer and return the account it signs in.

    Raises one of :data:`PROVIDER_ERRORS` for a refused, failed or invalid answer, and
    :class:`SignOnRefusedError` when the token is good but names nobody who may sign in here.
    """
    token = _client(provider).authorize_access_token(claims_options=_claims_options(provider))
    claims = token.get("userinfo")
    if not claims:
        raise ValueError("the provider sent no ID token")
    return match_account(provider, claims)


def match_account(provider: str, claims: dict[str, Any]) -> User:
    """The one account a validated ID token may sign in (see the module's rules); else :class:`SignOnRefusedError`."""
    email = str(claims.get("email") or (claims.get("preferred_username") if provider == "microsoft" else "") or "")
    email = email.strip().lower()
    domain = email.rpartition("@")[2]
    name = PROVIDER_NAMES[provider]
    schools = list(db.session.scalars(select(School).where(School.sso_provider == provider,
                                                           School.sso_domain == domain)))
    if provider == "google":
        schools = [school for school in schools if claims.get("email_verified") is True and claims.get("hd") == domain]
    else:
        schools = [school for school in schools if school.sso_tenant and claims.get("tid") == school.sso_tenant]
    if "@" not in email or not schools:
        raise SignOnRefusedError(_("%(provider)s accounts of %(domain)s cannot sign in to this site. Sign in with your "
                              "username and password, or ask your school whether it uses %(provider)s sign-in.",
                              provider=name, domain=domain or "?"))
    people = list(db.session.scalars(select(User).where(User.school_id.in_([school.id for school in schools]),
                                                        func.lower(User.email) == email)))
    if len(people) != 1:
        raise SignOnRefusedError(_("Your school has no account for %(email)s. Ask your school's online-safety "
                              "coordinator to add you, with this email address.", email=email))
    person = people[0]
    if not person.is_active:
        raise SignOnRefusedError(_("The account for %(email)s cannot sign in: it has been disabled, or the person has "
                              "left. Ask your school's online-safety coordinator.", email=email))
    return person
