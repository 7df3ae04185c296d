"""The ``casestudio`` command: serve, config, db, deploy, export, users, seed."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from runtime.settings import Settings, load_settings


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]  # type: ignore[no-any-return]


def _container(ctx: click.Context) -> Any:
    from runtime.container import Container

    if "container" not in ctx.obj:
        ctx.obj["container"] = Container(_settings(ctx))
        ctx.obj["container"].refresh_policy()
        ctx.call_on_close(ctx.obj["container"].stop)
    return ctx.obj["container"]


@click.group()
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False),
              help="TOML file with a [casestudio] table.")
@click.option("--demo/--no-demo", default=None, help="Demo mode (demo users may log in).")
@click.pass_context
def main(ctx: click.Context, config_file: str | None, demo: bool | None) -> None:
    """CaseStudio: model-driven case management on a BPMN engine."""
    overrides = {} if demo is None else {"demo": demo}
    ctx.ensure_object(dict)
    ctx.obj["settings"] = load_settings(overrides, config_file=config_file)


@main.command()
@click.pass_context
def config(ctx: click.Context) -> None:
    """Print the effective settings (passwords masked)."""
    click.echo(json.dumps(_settings(ctx).masked(), indent=2))


@main.group()
def db() -> None:
    """Database schema management."""


@db.command("upgrade")
@click.pass_context
def db_upgrade(ctx: click.Context) -> None:
    """Apply all migrations (idempotent)."""
    from connectors.urls import mask_url
    from models.migrate import upgrade

    url = _settings(ctx).database_url
    upgrade(url)
    click.echo(f"database at {mask_url(url)} is up to date")


@main.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--as", "actor", default="admin", help="Deploy on behalf of this user.")
@click.pass_context
def deploy(ctx: click.Context, path: Path, actor: str) -> None:
    """Deploy a bundle folder or zip as a new case-type version."""
    from runtime.deploy import deploy_path
    from runtime.errors import DomainError

    try:
        version, created, warnings = deploy_path(_container(ctx), path, actor)
    except DomainError as exc:
        _fail(exc)
    state = "deployed" if created else "unchanged (identical content)"
    click.echo(f"{version.key} version {version.version}: {state}")
    for warning in warnings:
        click.echo(f"warning: {warning['file']}{warning['path']}: {warning['message']}")


@main.command()
@click.argument("key")
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--version", "version", type=int, default=None)
@click.pass_context
def export(ctx: click.Context, key: str, output: Path | None, version: int | None) -> None:
    """Export a case type as a bundle zip (stdout when no -o)."""
    from runtime.deploy import system_principal
    from runtime.errors import DomainError

    c = _container(ctx)
    try:
        row = c.case_types.get(system_principal(c), key, version)
    except DomainError as exc:
        _fail(exc)
    if output:
        output.write_bytes(row.bundle_zip)
        click.echo(f"wrote {output} ({len(row.bundle_zip)} bytes)")
    else:
        sys.stdout.buffer.write(row.bundle_zip)


@main.group()
def users() -> None:
    """Local accounts."""


@users.command("add")
@click.argument("name")
@click.option("--role", "roles", multiple=True, required=True, help="Repeat for several roles.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--email", default="")
@click.pass_context
def users_add(ctx: click.Context, name: str, roles: tuple[str, ...], password: str,
              email: str) -> None:
    """Create or update a local user."""
    from connectors.identity.local import WeakPassword

    try:
        _container(ctx).identity.add_user(name, password, list(roles), email=email)
    except WeakPassword as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"user {name} saved with roles {', '.join(roles)}")


@main.command()
@click.pass_context
def seed(ctx: click.Context) -> None:
    """Load the demo bundles, users and sample cases (idempotent)."""
    from seed.loader import load_demo

    load_demo(_container(ctx), echo=click.echo)


@main.command()
@click.option("--interval", default=0.5, show_default=True, help="Seconds between polls.")
@click.pass_context
def jobs(ctx: click.Context, interval: float) -> None:
    """Run the job executor (timers, async continuations) in this process only."""
    from bpmn.jobs import JobExecutor

    executor = JobExecutor(_container(ctx).engine, interval=interval)
    _run_until_interrupted([executor], "job executor")


@main.command()
@click.option("--worker-id", default="casestudio-worker", show_default=True)
@click.pass_context
def worker(ctx: click.Context, worker_id: str) -> None:
    """Run the built-in external-task workers (fetch-and-lock) against the configured engine."""
    from runtime.container import remote_events
    from runtime.workers import BuiltinWorkers

    c = _container(ctx)
    services: list[Any] = [BuiltinWorkers(c.db, c.engine, c.cases, worker_id=worker_id,
                                          interval=1.0)]
    poller = remote_events(c.engine)  # a remote engine's history feeds the case timelines
    if poller is not None:
        services.append(poller)
    _run_until_interrupted(services, "built-in workers")


def _run_until_interrupted(services: list[Any], name: str) -> None:
    import signal
    import threading

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    for service in services:
        service.start()
    click.echo(f"{name} running; Ctrl+C to stop")
    try:
        while not done.wait(1.0):
            pass
    except KeyboardInterrupt:
        pass
    finally:
        for service in services:
            service.stop()


@main.command()
@click.option("--host", default=None)
@click.option("--port", type=int, default=None)
@click.option("--processes", type=click.IntRange(min=1), default=1, show_default=True,
              help="Serving processes sharing the port (more than one needs "
                   "SOCKETIO_QUEUE_URL).")
@click.pass_context
def serve(ctx: click.Context, host: str | None, port: int | None, processes: int) -> None:
    """Serve the web app and API (threaded WSGI server, one or more processes)."""
    from runtime.serve import serve as run_server
    from runtime.serve_processes import ServeError

    settings = _settings(ctx)
    try:
        run_server(settings, host or settings.host, port or settings.port, processes)
    except ServeError as exc:
        raise click.UsageError(str(exc)) from None


def _fail(exc: Any) -> None:
    click.echo(f"error: {exc.detail}", err=True)
    for error in exc.errors:
        where = f"{error.get('file', '')}{error.get('path', '')}"
        click.echo(f"  {where}: {error['message']}", err=True)
    raise SystemExit(1)


if __name__ == "__main__":
    main()
