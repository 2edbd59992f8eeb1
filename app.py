"""The entry point: ``flask --app app run`` or ``gunicorn app:app``."""

import sys

from eduplatform import create_app
from eduplatform.catalogue import ContentError
from eduplatform.config import ConfigError

try:
    app = create_app()
except (ContentError, ConfigError) as error:
    # A bad content file or setting stops start-up with a message naming the file/setting.
    print(f"eduplatform cannot start.\n{error}", file=sys.stderr)
    sys.exit(2)
