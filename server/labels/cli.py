"""flask make-labels: one PNG per zone and one A4 PDF, in qr_labels/; flask public-url: what they encode."""

from pathlib import Path

import click
from flask import current_app

from server import config as default_config
from server.errors import ServiceError
from server.labels import address, render, services
from server.labels.fonts import NoCJKFont


@click.command("make-labels")
@click.option("--zone", "codes", multiple=True, help="A zone code; repeat for several (default: all active).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Folder to write into (default: LABELS_DIR, qr_labels/).")
@click.option("--per-page", type=click.Choice([str(n) for n in render.LAYOUTS]), default="4",
              help="Labels per A4 page in the PDF.")
def make_labels_command(codes, out_dir, per_page):
    """Write one PNG per zone and one multi-page A4 PDF of the labels."""
    _warn_if_loopback(current_app.config["PUBLIC_BASE_URL"])
    try:
        written = services.make_files(services.choose_zones(codes),
                                      Path(out_dir or current_app.config["LABELS_DIR"]), int(per_page))
    except NoCJKFont as exc:
        raise click.ClickException(str(exc)) from exc
    except ServiceError as exc:
        raise click.ClickException(str(exc.message)) from exc
    for path in written.pngs:
        click.echo(str(path))
    click.echo(f"{written.pdf}  ({len(written.pngs)} labels, {per_page} per A4 page)")


@click.command("public-url")
@click.option("--host", default="127.0.0.1", show_default=True, help="The address the app will listen on.")
@click.option("--port", default=5000, show_default=True, type=int, help="The port it will listen on.")
def public_url_command(host, port):
    """Print the URL labels should encode: PUBLIC_BASE_URL when set, else where HOST:PORT is reached from."""
    url = current_app.config["PUBLIC_BASE_URL"]
    # Left at its default, PUBLIC_BASE_URL says nothing about this run (`make run HOST=… PORT=…`).
    if url == default_config.PUBLIC_BASE_URL.rstrip("/"):
        url = address.serving_url(host, port)
    click.echo(url)
    _warn_if_loopback(url)


def _warn_if_loopback(url: str) -> None:
    # On stderr, so the URL printed on stdout can be captured (the Makefile does) while the warning is seen.
    warning = services.loopback_warning(url)
    if warning:
        click.echo(f"WARNING: {warning}", err=True)
