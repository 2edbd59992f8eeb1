"""A real OpenID Connect provider for tests: Authlib's server side on 127.0.0.1, in a thread.

Keys are joserfc keys, as in Authlib's own server and client (``authlib.jose`` is deprecated and warns
on import). The id_token settings come from the per-client hooks (``resolve_client_private_key``,
``get_client_claims``, ...), not from ``get_jwt_config``, which warns on every token.
"""

from __future__ import annotations

import hashlib
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from authlib.integrations.flask_oauth2 import AuthorizationServer, ResourceProtector
from authlib.oauth2.rfc6749 import ClientMixin, OAuth2Error, TokenMixin
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6750 import BearerTokenValidator
from authlib.oidc.core import AuthorizationCodeMixin, UserInfo, UserInfoEndpoint
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, Response, jsonify, request
from joserfc.jwk import RSAKey
from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

SCOPES = ["openid", "email", "profile"]
KID = "local-oidc-key"
AUTH_METHODS = ["client_secret_basic", "client_secret_post"]


@dataclass
class _User:
    email: str
    name: str
    email_verified: bool
    hd: str | None
    tid: str | None
    sub: str

    def claims(self) -> UserInfo:
        info = UserInfo(sub=self.sub, email=self.email, email_verified=self.email_verified, name=self.name)
        info.update({k: v for k, v in (("hd", self.hd), ("tid", self.tid)) if v is not None})
        return info


@dataclass
class _Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uris: tuple[str, ...]
    client_metadata: dict[str, Any] = field(default_factory=dict)  # read by Authlib's UserInfoEndpoint

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> str | None:
        return self.redirect_uris[0] if self.redirect_uris else None

    def get_allowed_scope(self, scope: str | None) -> str:
        return " ".join(s for s in (scope or "").split() if s in SCOPES)

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        if self.redirect_uris:
            return redirect_uri in self.redirect_uris
        url = urlsplit(redirect_uri)  # no list given: any http://127.0.0.1... or http://localhost... URI
        return url.scheme == "http" and url.hostname in ("127.0.0.1", "localhost")

    def check_client_secret(self, client_secret: str) -> bool:
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in AUTH_METHODS

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class _Code(AuthorizationCodeMixin):
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: _User
    nonce: str | None
    auth_time: int

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str | None:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time


@dataclass
class _Token(TokenMixin):
    client: _Client
    user: _User
    scope: str
    expires_in: int
    issued_at: float = field(default_factory=time.time)

    def get_scope(self) -> str:
        return self.scope

    def is_expired(self) -> bool:
        return time.time() > self.issued_at + self.expires_in

    def is_revoked(self) -> bool:
        return False

    def get_user(self) -> _User:
        return self.user

    def get_client(self) -> _Client:
        return self.client


class _CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = AUTH_METHODS

    def save_authorization_code(self, code: str, request: Any) -> None:
        self.server.codes[code] = _Code(code, request.client.client_id, request.payload.redirect_uri,
                                        request.scope, request.user, request.payload.data.get("nonce"),
                                        int(time.time()))

    def query_authorization_code(self, code: str, client: _Client) -> _Code | None:
        found = self.server.codes.get(code)
        return found if found and found.client_id == client.client_id else None

    def delete_authorization_code(self, authorization_code: _Code) -> None:
        self.server.codes.pop(authorization_code.code, None)

    def authenticate_user(self, authorization_code: _Code) -> _User:
        return authorization_code.user


class _OpenIDCode(OpenIDCode):
    def __init__(self, provider: LocalOIDCProvider) -> None:
        super().__init__(require_nonce=False)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: Any) -> bool:
        return any(code.nonce == nonce for code in self.provider._codes.values())

    def resolve_client_private_key(self, client: _Client) -> RSAKey:
        return self.provider._wrong_key if self.provider._use_wrong_key else self.provider._key

    def get_client_algorithm(self, client: _Client) -> str:
        return "RS256"

    def get_encode_header(self, client: _Client) -> dict[str, str]:
        return {"alg": "RS256", "kid": KID}

    def get_client_claims(self, client: _Client) -> dict[str, Any]:
        return {"iss": self.provider.issuer, "aud": client.client_id, "exp": int(time.time()) + 3600}

    def generate_user_info(self, user: _User, scope: str) -> UserInfo:
        return user.claims()


class _UserInfo(UserInfoEndpoint):
    def generate_user_info(self, user: _User, scope: str) -> UserInfo:
        return user.claims()


class _BearerValidator(BearerTokenValidator):
    def __init__(self, tokens: dict[str, _Token]) -> None:
        super().__init__()
        self.tokens = tokens

    def authenticate_token(self, token_string: str) -> _Token | None:
        return self.tokens.get(token_string)


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Keep werkzeug's per-request log lines out of test output."""


class LocalOIDCProvider:
    """A real OpenID Connect provider on 127.0.0.1 for tests (Authlib's server side, no mock)."""

    def __init__(self, *, client_id: str = "eduplatform-test", client_secret: str = "test-secret",  # noqa: S107
                 redirect_uris: tuple[str, ...] = ()) -> None:
        """Make the keys, the one client and the Flask app; ``redirect_uris=()`` accepts any local http URI."""
        self.client = _Client(client_id, client_secret, tuple(redirect_uris))
        self.requests_seen: list[str] = []
        self._key = RSAKey.generate_key(2048, {"kid": KID, "use": "sig", "alg": "RS256"})
        self._wrong_key: RSAKey | None = None
        self._use_wrong_key = False
        self._user: _User | None = None
        self._deny: str | None = None
        self._codes: dict[str, _Code] = {}
        self._tokens: dict[str, _Token] = {}
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None
        self._app = self._make_app()

    def start(self) -> LocalOIDCProvider:
        """Serve on a free port of 127.0.0.1 in a daemon thread; returns self."""
        if self._server is None:
            self._server = make_server("127.0.0.1", 0, self._app, threaded=True, request_handler=_QuietHandler)
            self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                            name="oidc-provider", daemon=True)
            self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None and self._thread is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=5)
        self._server = self._thread = None

    def __enter__(self) -> LocalOIDCProvider:
        """Start the provider."""
        return self.start()

    def __exit__(self, *exc: object) -> None:
        """Stop the provider."""
        self.stop()

    @property
    def issuer(self) -> str:
        """The provider's base URL and ``iss``, e.g. ``http://127.0.0.1:PORT``."""
        if self._server is None:
            raise RuntimeError("LocalOIDCProvider is not started")
        return f"http://127.0.0.1:{self._server.server_port}"

    @property
    def metadata_url(self) -> str:
        """The discovery document's URL, for the client's ``server_metadata_url``."""
        return self.issuer + "/.well-known/openid-configuration"

    def sign_in_as(self, email: str, *, name: str = "Test Person", email_verified: bool = True,
                   hd: str | None = None, tid: str | None = None, sub: str | None = None) -> None:
        """Make this person "already signed in": /authorize approves at once for them, with no consent page."""
        sub = sub or str(int(hashlib.sha256(email.lower().encode()).hexdigest()[:15], 16))
        self._user = _User(email, name, email_verified, hd, tid, sub)

    def sign_out(self) -> None:
        """Nobody is signed in: /authorize answers 401 "not signed in"."""
        self._user = None

    def sign_ids_with_wrong_key(self, wrong: bool = True) -> None:
        """Sign later id_tokens with an RSA key that is not the published one (same ``kid``)."""
        if wrong and self._wrong_key is None:
            self._wrong_key = RSAKey.generate_key(2048, {"kid": KID, "use": "sig", "alg": "RS256"})
        self._use_wrong_key = wrong

    def deny_next(self, error: str = "access_denied") -> None:
        """The next valid authorize request redirects back with ``?error=<error>&state=...``."""
        self._deny = error

    def _metadata(self) -> dict[str, Any]:
        iss = self.issuer
        return {
            "issuer": iss, "authorization_endpoint": iss + "/authorize", "token_endpoint": iss + "/token",
            "jwks_uri": iss + "/jwks", "userinfo_endpoint": iss + "/userinfo",
            "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"], "scopes_supported": SCOPES,
            "token_endpoint_auth_methods_supported": AUTH_METHODS, "grant_types_supported": ["authorization_code"],
            "claims_supported": ["iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash",
                                 "email", "email_verified", "name", "hd", "tid"],
        }

    def _make_app(self) -> Flask:
        app = Flask(__name__)
        app.config.update(SECRET_KEY=secrets.token_hex(16), OAUTH2_SCOPES_SUPPORTED=SCOPES)
        server = AuthorizationServer(app, self._query_client, self._save_token)
        server.codes = self._codes  # what _CodeGrant stores codes in
        server.register_grant(_CodeGrant, [_OpenIDCode(self)])
        protector = ResourceProtector()
        protector.register_token_validator(_BearerValidator(self._tokens))
        server.register_endpoint(_UserInfo(resource_protector=protector))

        @app.before_request
        def record() -> None:
            self.requests_seen.append(request.path)

        @app.get("/.well-known/openid-configuration")
        def discovery() -> Response:
            return jsonify(self._metadata())

        @app.get("/jwks")
        def jwks() -> Response:
            return jsonify({"keys": [self._key.as_dict(private=False)]})

        @app.get("/authorize")
        def authorize() -> Response:
            try:
                grant = server.get_consent_grant(end_user=self._user)
            except OAuth2Error as error:  # bad client or redirect_uri: 400; others redirect back
                return server.handle_error_response(request, error)
            if self._deny:
                error = OAuth2Error(error=self._deny, redirect_uri=grant.redirect_uri, state=request.args.get("state"))
                self._deny = None
                return server.handle_error_response(request, error)
            if self._user is None:
                return Response("not signed in", 401, mimetype="text/plain")
            return server.create_authorization_response(grant=grant, grant_user=self._user)

        @app.post("/token")
        def token() -> Response:
            return server.create_token_response()

        @app.route("/userinfo", methods=["GET", "POST"])
        def userinfo() -> Response:
            return server.create_endpoint_response("userinfo")

        return app

    def _query_client(self, client_id: str) -> _Client | None:
        return self.client if client_id == self.client.client_id else None

    def _save_token(self, token: dict[str, Any], request: Any) -> None:
        self._tokens[token["access_token"]] = _Token(request.client, request.user, token["scope"],
                                                     token["expires_in"])
