"""``backup`` and ``restore``: a copy of the whole database, and putting one back.

Bad input (an unwritable place, a file that is not a backup, a backup of the other kind of
database or from a newer schema, a target that is not empty without ``--force``) prints a clear
message, exits with status 1 and changes nothing. Both are recorded in the audit log.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask

from eduplatform.audit.models import AuditAction
from eduplatform.audit.services import record_event
from eduplatform.db import db
from eduplatform.privacy.backup import KIND_NAMES, BackupError, human_size, restore_backup, take_backup


def register(app: Flask) -> None:
    """Attach ``backup`` and ``restore`` to the app's CLI."""

    @app.cli.command("backup")
    @click.option("--out", "out", required=True, type=click.Path(path_type=Path),
                  help="The backup file to write (its folder must exist).")
    @click.option("--overwrite", is_flag=True, help="Replace the file if it exists.")
    def backup_command(out: Path, overwrite: bool) -> None:
        """Copy the whole database into one file, while the site keeps running."""
        try:
            result = take_backup(db.engine, out, overwrite=overwrite)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        record_event(AuditAction.BACKUP_TAKEN, details={
            "file": str(out.resolve()), "bytes": result.size, "revision": result.revision, "database": result.kind})
        db.session.commit()
        click.echo(f"Backup of the {KIND_NAMES[result.kind]} database written to {out}: "
                   f"{human_size(result.size)}, schema revision {result.revision}.")
        click.echo("Keep it off this machine, and keep instance/data_key and instance/secret_key safe apart from it.")

    @app.cli.command("restore")
    @click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option("--force", is_flag=True, help="Replace a database that is not empty (everything in it is lost).")
    def restore_command(file: Path, force: bool) -> None:
        """Replace the database with a backup taken by 'backup'; an older schema is upgraded after."""
        try:
            result = restore_backup(db.engine, file, force=force)
        except BackupError as error:
            raise click.ClickException(str(error)) from None
        record_event(AuditAction.BACKUP_RESTORED, details={
            "file": str(file.resolve()), "database": result.kind, "backup_revision": result.backup_revision,
            "revision": result.revision, "replaced_rows": result.replaced_rows})
        db.session.commit()
        click.echo(f"Restored {file} (schema revision {result.backup_revision}).")
        if result.upgraded:
            click.echo(f"The database was upgraded to this code's schema, revision {result.revision}.")
