"""flask make-labels."""

import click


@click.command("make-labels")
def make_labels_command():
    """Write one PNG per zone and one PDF into qr_labels/."""
    raise click.ClickException("not built yet")
