"""CLI commands: flask --app server init-db | seed-demo | create-user | backup | restore | make-labels |
sweep-deadlines | daily | check-deploy."""

import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_migrate import upgrade
from sqlalchemy import select

from server.database import analyze
from server.extensions import db


@click.command("init-db")
def init_db_command():
    """Create or upgrade the database schema through the migrations."""
    upgrade()
    from server.campaigns.services import ensure_default_templates

    ensure_default_templates()  # the checklists a school starts with (消防, 用电 …), once
    db.session.commit()
    click.echo("Database is up to date.")


@click.command("seed-demo")
@click.option("--url", default=None, help="The URL the app will be served on, to print.")
@click.option("--reset", is_flag=True, help="Delete ALL data and photos first, to start the demo over.")
@click.option("--yes", is_flag=True, help="With --reset: do not ask first.")
@click.option("--history/--no-history", default=True,
              help="With or without the term of patrols and hazards (default: with).")
def seed_demo_command(url, reset, yes, history):
    """Load demo data into an empty database (existing data is kept) and print the demo sign-ins."""
    from server import demo, demo_history

    if reset:
        if not yes:
            click.confirm(f"Delete every record and photo of {db.engine.url.render_as_string()}?", abort=True)
        click.echo(f"Everything deleted ({demo.reset()} photo files).")
    if history and not demo.loaded():  # half a minute or so of silence would look like a hang
        click.echo(f"Loading the demo: {demo_history.TERM_DAYS} days of patrols and "
                   f"{demo_history.HAZARD_COUNT} hazards with their photos …")
    created = demo.seed(history=history)
    db.session.commit()
    click.echo("Demo data loaded." if created else "Existing data kept (demo data is loaded only once).")
    click.echo("")
    if url:
        click.echo(f"  Open {url}  (field app: {url}/app)")
    click.echo(f"  Demo sign-ins, password '{demo.DEMO_PASSWORD}' for each:")
    for username, name, roles in demo.logins():
        click.echo(f"    {username:<8} {name}  [{roles}]")
    click.echo("")


@click.command("create-user")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The person's name as shown in the app.")
@click.option("--role", "roles", multiple=True, required=True,
              type=click.Choice(["patrol", "rectifier", "supervisor", "admin"]), help="Repeat for several.")
@click.option("--department", default="")
@click.password_option()
def create_user_command(username, display_name, roles, department, password):
    """Create a user (the first admin of a new installation, say)."""
    from server.auth import services
    from server.errors import ServiceError

    try:
        services.create_user(username, display_name, password, roles, department=department)
    except ServiceError as exc:
        raise click.ClickException(str(exc.message)) from exc
    db.session.commit()
    click.echo(f"Created {username}.")


def _sqlite_path() -> Path | None:
    url = db.engine.url
    return Path(url.database) if url.get_backend_name() == "sqlite" and url.database else None


PG_DUMP = "xunjian.pgdump"


def _postgres_tool(name: str, args: list[str]) -> None:
    """Run pg_dump or pg_restore against the app's PostgreSQL database; raise a ClickException on failure."""
    url = db.engine.url
    exe = shutil.which(name)
    if exe is None:
        raise click.ClickException(f"{name} is missing: apt-get install -y postgresql-client")
    # The password goes by the environment, not the command line (which every user can read in ps).
    conninfo = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ, **({"PGPASSWORD": url.password} if url.password else {})}
    done = subprocess.run([exe, *args, "--dbname", conninfo], env=env, capture_output=True, text=True,  # noqa: S603
                          check=False)
    if done.returncode != 0:
        raise click.ClickException(f"{name} failed: {done.stderr.strip()}")


def _media_root() -> Path:
    # The photos' folder as the storage sees it (MEDIA_ROOT, or instance/media by default).
    return Path(current_app.config.get("MEDIA_ROOT") or Path(current_app.instance_path) / "media")


@click.command("check-deploy")
def check_deploy_command():
    """Say what is wrong for production, each in plain words; exit 1 when something is."""
    from flask_babel import lazy_gettext as _l

    from server.deploy_check import run_checks

    findings = run_checks(current_app)
    for finding in findings:
        click.echo(f"{'OK ' if finding.ok else 'NO '} {finding.what}")
        if finding.advice:
            click.echo(f"     → {finding.advice}")
    problems = sum(not f.ok for f in findings)
    click.echo("")
    if problems:
        raise click.ClickException(str(_l("Problems for production: %(n)d (see above).", n=problems)))
    click.echo(str(_l("Ready for production.")))


@click.command("backup")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Folder for the archive (default instance/backups).")
def backup_command(out_dir):
    """Write a consistent archive of the database and photos, safe while the app runs."""
    src = _sqlite_path()
    if src is None and db.engine.url.get_backend_name() != "postgresql":
        raise click.ClickException("backup handles SQLite and PostgreSQL databases only.")
    instance = Path(current_app.instance_path)
    out = Path(out_dir) if out_dir else instance / "backups"
    out.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    archive = out / f"xunjian-{stamp}.tar.gz"
    with tempfile.TemporaryDirectory() as tmp:
        if src is None:
            snapshot = Path(tmp) / PG_DUMP
            # pg_dump reads one snapshot of the database in a single transaction, while others write.
            _postgres_tool("pg_dump", ["--format=custom", "--no-owner", "--file", str(snapshot)])
        else:
            snapshot = Path(tmp) / "xunjian.sqlite"
            # SQLite's online backup copies a consistent snapshot even while other connections write.
            with sqlite3.connect(src) as live, sqlite3.connect(snapshot) as copy:
                live.backup(copy)
            copy.close()
        with tarfile.open(archive, "w:gz") as tar:
            tar.add(snapshot, arcname=snapshot.name)
            # Photos are written before the row that names them is committed, and never changed:
            # copying them after the snapshot means every photo the snapshot knows is in the archive.
            media = _media_root()
            if media.exists():
                tar.add(media, arcname="media")
    click.echo(str(archive))


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--yes", is_flag=True, help="Replace the current database and photos without asking.")
def restore_command(archive, yes):
    """Replace the database and photos with those of a backup archive (stop the app first)."""
    dest = _sqlite_path()
    if dest is None and db.engine.url.get_backend_name() != "postgresql":
        raise click.ClickException("restore handles SQLite and PostgreSQL databases only.")
    if not yes:
        where = dest or db.engine.url.render_as_string(hide_password=True)
        click.confirm(f"Replace {where} and its photos with {archive}?", abort=True)
    db.engine.dispose()
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        tar.extractall(tmp, filter="data")
        snapshot = Path(tmp) / ("xunjian.sqlite" if dest else PG_DUMP)
        if not snapshot.exists():
            raise click.ClickException("This archive holds no database of this kind (SQLite or PostgreSQL).")
        if dest is None:
            # One transaction: the tables are dropped and refilled together, or not at all.
            _postgres_tool("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction",
                                          str(snapshot)])
        else:
            # Copy page by page into the live file through SQLite itself, so its WAL and locks stay coherent.
            with sqlite3.connect(snapshot) as source, sqlite3.connect(dest, timeout=30) as target:
                source.backup(target)
            source.close()
            target.close()
        media = _media_root()
        if (Path(tmp) / "media").exists():
            shutil.rmtree(media, ignore_errors=True)
            shutil.copytree(Path(tmp) / "media", media)
    click.echo(f"Restored {archive}.")


@click.command("sweep-deadlines")
def sweep_deadlines_command():
    """Notify rectifiers of hazards due tomorrow, and rectifiers and supervisors of overdue ones; flag 督办.

    Run it from a timer (cron or a systemd timer) every hour or so; running it again notifies nobody twice.
    """
    _sweep_deadlines(summary=False)


@click.command("daily")
def daily_command():
    """The daily pass: the deadline notices, 督办 flags and the overdue summary for group chats, then delete
    photo files that no record names (a day old or more).

    Run it once a day from a timer; running it again does no harm.
    """
    _sweep_deadlines(summary=True)
    from server.campaigns.services import announce_starts

    started = announce_starts()  # campaigns whose first day is today: their patrols hear it once
    db.session.commit()
    click.echo(f"Special inspections starting: {started} announced.")
    from server.media import sweep
    from server.media.storage import get_storage

    result = sweep.sweep_orphans(get_storage(), _photo_keys_named)
    click.echo(f"Orphan photo files: {result.deleted} deleted ({result.freed_bytes} bytes freed); "
               f"{result.scanned} files scanned, {result.young} younger than a day left alone.")
    analyze(db.session.connection())  # the planner's statistics follow the data's growth
    db.session.commit()


def _sweep_deadlines(*, summary: bool) -> None:
    # The escalation ladder, in one transaction: notices, 督办 flags, and their group-chat alerts in the
    # outbox (the day's overdue summary from the daily pass only); `deliver-webhooks` sends them.
    from server.database import utcnow
    from server.notifications import services
    from server.webhooks import alerts

    now = utcnow()
    counts = services.sweep_deadlines(now)
    flagged = services.escalate(now)
    queued = alerts.queue_supervised(now) + (alerts.queue_overdue_summary(now) if summary else 0)
    db.session.commit()
    click.echo(f"New notices: {counts['due_tomorrow']} due tomorrow, {counts['overdue']} overdue; "
               f"{flagged} flagged for supervision (督办); {queued} group-chat alerts queued.")


@click.command("deliver-webhooks")
def deliver_webhooks_command():
    """Send the group-chat alerts waiting in the outbox, with retries and backoff.

    Run it from a timer every minute (deploy/xunjian-webhooks.timer, or cron); it sends each webhook at most
    one message per run, joining what waits into one.
    """
    from server.webhooks import delivery

    counts = delivery.deliver()
    click.echo(f"Webhook messages: {counts['sent']} sent, {counts['pending']} to be retried, "
               f"{counts['failed']} given up.")


def _photo_keys_named(keys: list[str]) -> list[str]:
    # Which of these storage keys a photo row names, as its photo or its thumbnail (both columns unique,
    # so indexed): the orphan sweep asks a batch at a time.
    from server.hazards.models import Photo

    query = select(Photo.key).where(Photo.key.in_(keys)).union_all(
        select(Photo.thumb_key).where(Photo.thumb_key.in_(keys)))
    return list(db.session.scalars(query))


def init_app(app):
    """Register the commands, each run inside an app context."""
    from server.labels.cli import make_labels_command, public_url_command

    for command in (init_db_command, seed_demo_command, create_user_command, backup_command,
                    restore_command, make_labels_command, public_url_command, sweep_deadlines_command,
                    daily_command, deliver_webhooks_command, check_deploy_command):
        if not getattr(command.callback, "__wrapped_appcontext__", False):
            command.callback = with_appcontext(command.callback)
            command.callback.__wrapped_appcontext__ = True
        app.cli.add_command(command)
