"""Flask extension singletons, initialised in :func:`eduplatform.create_app`."""

from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf.csrf import CSRFProtect

babel = Babel()
login_manager = LoginManager()
#: Checks a CSRF token on every POST, PUT, PATCH and DELETE request of the whole site.
csrf = CSRFProtect()
