"""flask make-labels: one PNG per zone and one A4 PDF, in qr_labels/."""

from pathlib import Path

import click
from flask import current_app

from server.errors import ServiceError
from server.labels import render, services
from server.labels.fonts import NoCJKFont


@click.command("make-labels")
@click.option("--zone", "codes", multiple=True, help="A zone code; repeat for several (default: all active).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False), default=None,
              help="Folder to write into (default: LABELS_DIR, qr_labels/).")
@click.option("--per-page", type=click.Choice([str(n) for n in render.LAYOUTS]), default="4",
              help="Labels per A4 page in the PDF.")
def make_labels_command(codes, out_dir, per_page):
    """Write one PNG per zone and one multi-page A4 PDF of the labels."""
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
