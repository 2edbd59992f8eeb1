"""The test OpenID Connect provider itself works, over real HTTP with ``requests`` (no main app).

id_tokens are checked the way Authlib's Flask client checks them: joserfc signature check against the
published JWKS, then Authlib's ``CodeIDToken`` claim validation (iss, aud, exp, iat, nonce, at_hash).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import KeySet

from tests.oidc_provider import LocalOIDCProvider

REDIRECT = "http://localhost/callback"
TIMEOUT = 10


@pytest.fixture
def idp() -> Iterator[LocalOIDCProvider]:
    with LocalOIDCProvider() as provider:
        provider.sign_in_as("teacher@school.example", name="Ada Teacher", hd="school.example", tid="tenant-1")
        yield provider


def authorize(idp: LocalOIDCProvider, **extra: str) -> requests.Response:
    params = {"response_type": "code", "client_id": "eduplatform-test", "redirect_uri": REDIRECT,
              "scope": "openid email profile", "state": "st-1", "nonce": "n-1", **extra}
    return requests.get(idp.issuer + "/authorize", params=params, allow_redirects=False, timeout=TIMEOUT)


def redirect_query(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302
    location = response.headers["Location"]
    assert location.startswith(REDIRECT + "?")
    return {key: values[0] for key, values in parse_qs(urlsplit(location).query).items()}


def exchange(idp: LocalOIDCProvider, code: str, secret: str = "test-secret") -> requests.Response:  # noqa: S107
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT}
    return requests.post(idp.issuer + "/token", data=data, auth=("eduplatform-test", secret), timeout=TIMEOUT)


def tokens(idp: LocalOIDCProvider, nonce: str = "n-1") -> dict[str, Any]:
    code = redirect_query(authorize(idp, nonce=nonce))["code"]
    response = exchange(idp, code)
    assert response.status_code == 200, response.text
    return response.json()


def verified_claims(idp: LocalOIDCProvider, token: dict[str, Any], nonce: str = "n-1") -> CodeIDToken:
    jwks = requests.get(idp.issuer + "/jwks", timeout=TIMEOUT).json()
    decoded = jwt.decode(token["id_token"], KeySet.import_key_set(jwks), algorithms=["RS256"])
    claims = CodeIDToken(decoded.claims, decoded.header, {"iss": {"values": [idp.issuer]}},
                         {"nonce": nonce, "client_id": "eduplatform-test", "access_token": token["access_token"]})
    claims.validate(leeway=120)
    return claims


def test_discovery_document_names_the_endpoints(idp: LocalOIDCProvider) -> None:
    meta = requests.get(idp.metadata_url, timeout=TIMEOUT).json()
    assert meta["issuer"] == idp.issuer
    for name, path in [("authorization", "/authorize"), ("token", "/token"), ("userinfo", "/userinfo")]:
        assert meta[f"{name}_endpoint"] == idp.issuer + path
    assert meta["jwks_uri"] == idp.issuer + "/jwks"
    assert meta["response_types_supported"] == ["code"]
    assert meta["id_token_signing_alg_values_supported"] == ["RS256"]
    assert set(meta["token_endpoint_auth_methods_supported"]) == {"client_secret_basic", "client_secret_post"}


def test_jwks_publishes_only_the_public_key(idp: LocalOIDCProvider) -> None:
    (key,) = requests.get(idp.issuer + "/jwks", timeout=TIMEOUT).json()["keys"]
    assert key["kty"] == "RSA" and key["kid"] and "d" not in key


def test_full_code_flow_gives_a_verifiable_id_token(idp: LocalOIDCProvider) -> None:
    query = redirect_query(authorize(idp))
    assert query["state"] == "st-1" and query["code"]
    token = tokens(idp, nonce="n-2")
    assert token["token_type"].lower() == "bearer" and token["access_token"]
    claims = verified_claims(idp, token, nonce="n-2")
    assert claims.header["kid"] == requests.get(idp.issuer + "/jwks", timeout=TIMEOUT).json()["keys"][0]["kid"]
    assert claims["iss"] == idp.issuer and claims["aud"] == "eduplatform-test" and claims["nonce"] == "n-2"
    assert claims["email"] == "teacher@school.example" and claims["email_verified"] is True
    assert claims["name"] == "Ada Teacher" and claims["hd"] == "school.example" and claims["tid"] == "tenant-1"
    assert claims["exp"] > claims["iat"] and claims["sub"]
    assert idp.requests_seen == ["/authorize", "/authorize", "/token", "/jwks", "/jwks"]


def test_sub_is_stable_per_email_and_can_be_given(idp: LocalOIDCProvider) -> None:
    first = verified_claims(idp, tokens(idp))["sub"]
    assert verified_claims(idp, tokens(idp, nonce="n-2"), nonce="n-2")["sub"] == first
    idp.sign_in_as("someone@else.example", sub="ms-oid-42")
    claims = verified_claims(idp, tokens(idp, nonce="n-3"), nonce="n-3")
    assert claims["sub"] == "ms-oid-42" and "hd" not in claims and "tid" not in claims


def test_userinfo_answers_for_the_access_token(idp: LocalOIDCProvider) -> None:
    token = tokens(idp)
    headers = {"Authorization": "Bearer " + token["access_token"]}
    info = requests.get(idp.issuer + "/userinfo", headers=headers, timeout=TIMEOUT).json()
    assert info["email"] == "teacher@school.example" and info["hd"] == "school.example"
    assert info["sub"] == verified_claims(idp, token)["sub"]
    bad = requests.get(idp.issuer + "/userinfo", headers={"Authorization": "Bearer nope"}, timeout=TIMEOUT)
    assert bad.status_code == 401


def test_client_secret_post_is_accepted(idp: LocalOIDCProvider) -> None:
    code = redirect_query(authorize(idp))["code"]
    data = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT,
            "client_id": "eduplatform-test", "client_secret": "test-secret"}
    response = requests.post(idp.issuer + "/token", data=data, timeout=TIMEOUT)
    assert response.status_code == 200 and "id_token" in response.json()


def test_id_token_signed_with_wrong_key_does_not_verify(idp: LocalOIDCProvider) -> None:
    idp.sign_ids_with_wrong_key()
    with pytest.raises(BadSignatureError):
        verified_claims(idp, tokens(idp))
    idp.sign_ids_with_wrong_key(False)
    assert verified_claims(idp, tokens(idp, nonce="n-2"), nonce="n-2")["email"] == "teacher@school.example"


def test_signed_out_gets_401(idp: LocalOIDCProvider) -> None:
    idp.sign_out()
    response = authorize(idp)
    assert response.status_code == 401 and response.text == "not signed in"


def test_wrong_client_secret_is_invalid_client(idp: LocalOIDCProvider) -> None:
    code = redirect_query(authorize(idp))["code"]
    response = exchange(idp, code, secret="wrong")
    assert response.status_code == 401 and response.json()["error"] == "invalid_client"


def test_a_code_works_only_once(idp: LocalOIDCProvider) -> None:
    code = redirect_query(authorize(idp))["code"]
    assert exchange(idp, code).status_code == 200
    again = exchange(idp, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_deny_next_redirects_back_with_access_denied_once(idp: LocalOIDCProvider) -> None:
    idp.deny_next()
    assert redirect_query(authorize(idp)) == {"error": "access_denied", "state": "st-1"}
    assert "code" in redirect_query(authorize(idp))


def test_redirect_uris_are_checked() -> None:
    with LocalOIDCProvider() as idp:
        idp.sign_in_as("a@b.example")
        assert authorize(idp, redirect_uri="http://127.0.0.1:5123/auth/callback").status_code == 302
        for foreign in ["https://evil.example/cb", "http://localhost.evil.example/cb"]:
            assert authorize(idp, redirect_uri=foreign).status_code == 400
    with LocalOIDCProvider(redirect_uris=("http://localhost/only",)) as idp:
        idp.sign_in_as("a@b.example")
        assert authorize(idp).status_code == 400
        assert authorize(idp, redirect_uri="http://localhost/only").status_code == 302


def test_stop_frees_the_port() -> None:
    idp = LocalOIDCProvider().start()
    url = idp.metadata_url
    idp.stop()
    with pytest.raises(requests.ConnectionError):
        requests.get(url, timeout=TIMEOUT)
