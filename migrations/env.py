"""Alembic environment: runs migrations on the connection eduplatform hands over.

Use ``flask --app app init-db`` to upgrade and ``flask --app app db-revision -m "..."`` to write a
new migration; both pass the app's database connection in ``config.attributes["connection"]``.
"""

from alembic import context

from eduplatform.db import Base, import_models

import_models()
target_metadata = Base.metadata
connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError("Run migrations through 'flask --app app init-db' (it provides the connection).")

context.configure(
    connection=connection,
    target_metadata=target_metadata,
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
