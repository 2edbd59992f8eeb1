"""Rate limits: the one place that says which routes are limited, how much, and keyed on what.

Built on Flask-Limiter, one limiter per app (``app.extensions["eduplatform.limiter"]``), counted in
Redis when ``REDIS_URL`` is set (so every app server agrees) and in memory otherwise. Limits are
keyed on the client's address (:func:`client_address`; set ``PROXY_HOPS`` behind a reverse proxy).

They are set to stop an outsider, not a class: thirty pupils behind one school address sign in
together within them (``bench/attack.py`` measures both). Only failures count where a success is
the normal case (password sign-in), so a class signing in costs nothing.

The sign-in service also keeps its own keyed counters (:func:`hit_counter`, :func:`read_counter`)
in the same storage: growing delays per client and account.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, request
from flask_limiter import Limiter
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.wrappers import Response

#: Route -> (limit, which requests count, the methods limited or None for all). "Moving window" limits.
LIMITS: dict[str, tuple[str, str, tuple[str, ...] | None]] = {
    # Password sign-in from one address, across accounts: failed tries only.
    "accounts.login": ("10 per minute;60 per hour", "failed_sign_in", ("POST",)),
    # The code step of multi-factor sign-in (wrong codes are also counted per account).
    "accounts.verify_code": ("10 per minute;60 per hour", "every", ("POST",)),
    # Looking up a class by its code (the code is the only secret of picture sign-in's first step).
    "signin.find_class": ("60 per minute;600 per hour", "every", None),
    "signin.class_page": ("120 per minute;1200 per hour", "every", None),
    # Tapping pictures: the class's own limits slow guessing further (signin/services.py).
    "signin.tap_picture": ("60 per minute;600 per hour", "every", None),
    # Starting or finishing a Google or Microsoft sign-in.
    "accounts.sso_start": ("30 per minute", "every", None),
    "accounts.sso_callback": ("30 per minute", "every", None),
    # Checking a certificate's code (public): enough for an employer checking a stack, too few to guess codes.
    "certificates.verify": ("20 per minute;200 per day", "every", None),
    # A parent's one-time set-up code (60 random bits): tries per address, enough for typing mistakes.
    "invitations.setup_account": ("10 per minute;60 per hour", "every", ("POST",)),
}
#: Failed password sign-ins across the whole site from addresses nobody has ever signed in from: a
#: spread-out guessing run (many addresses, a few tries each) stops here, while schools' own
#: addresses are never held up by it.
SITE_WIDE_FAILED_SIGN_INS = "300 per minute;3000 per hour"
_EXTENSION = "eduplatform.limiter"


def client_address() -> str:
    """The client's address (after ``ProxyFix`` has applied ``PROXY_HOPS``)."""
    return request.remote_addr or "unknown"


def _failed_sign_in(response: Response) -> bool:
    """A password sign-in that did not succeed (it shows the form again instead of redirecting)."""
    return request.method == "POST" and response.status_code != 302


def _counts(kind: str) -> Any:
    return _failed_sign_in if kind == "failed_sign_in" else None


def init_rate_limits(app: Flask) -> Limiter:
    """Create the app's limiter and put the limits of :data:`LIMITS` on their routes."""
    if app.config["PROXY_HOPS"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_HOPS"])  # type: ignore[method-assign]
    app.config.update(RATELIMIT_ENABLED=app.config["RATE_LIMITS_ENABLED"], RATELIMIT_HEADERS_ENABLED=True,
                      RATELIMIT_STRATEGY="moving-window",
                      RATELIMIT_STORAGE_URI=app.config["REDIS_URL"] or "memory://")
    limiter = Limiter(key_func=client_address, app=app)
    for endpoint, (limit, kind, methods) in LIMITS.items():
        view = app.view_functions[endpoint]
        app.view_functions[endpoint] = limiter.limit(limit, deduct_when=_counts(kind), methods=methods)(view)
    app.view_functions["accounts.login"] = limiter.shared_limit(
        SITE_WIDE_FAILED_SIGN_INS, scope="site-wide-sign-in", key_func=lambda: "site", methods=["POST"],
        deduct_when=_failed_sign_in, exempt_when=lambda: is_known_address(client_address()),
    )(app.view_functions["accounts.login"])
    app.extensions[_EXTENSION] = limiter
    return limiter


def _storage() -> Any:
    return current_app.extensions[_EXTENSION].storage


def hit_counter(key: str, expiry_seconds: int) -> int:
    """Add one to a keyed counter that lapses ``expiry_seconds`` after it was started; the new value."""
    if not current_app.config["RATE_LIMITS_ENABLED"]:
        return 0
    return int(_storage().incr(f"eduplatform/{key}", expiry_seconds))


def read_counter(key: str) -> int:
    """A keyed counter's value (0 when it lapsed or never started)."""
    if not current_app.config["RATE_LIMITS_ENABLED"]:
        return 0
    return int(_storage().get(f"eduplatform/{key}") or 0)


def clear_counter(key: str) -> None:
    """Forget a keyed counter (after a right password, say)."""
    if current_app.config["RATE_LIMITS_ENABLED"]:
        _storage().clear(f"eduplatform/{key}")


def remember_address(address: str) -> None:
    """Someone signed in from this address (it is then exempt from the site-wide limit for 30 days)."""
    hit_counter(f"known-address/{address}", 30 * 86_400)


def is_known_address(address: str) -> bool:
    return read_counter(f"known-address/{address}") > 0


def reset_rate_limits(app: Flask) -> None:
    """Forget every count (tests start each case afresh)."""
    app.extensions[_EXTENSION].reset()
