"""The service worker precaches what the app reads offline, not what only an installing browser fetches (the
manifest and the icons only it names: 9 kB a new phone downloaded for nothing, issue 12)."""

import json
import re

import pytest

from server import shell


def _precached(app, client) -> set[str]:
    body = client.get("/sw.js").get_data(as_text=True)
    with app.app_context():
        v = shell.version()
    files = json.loads(body.split("const FILES=")[1].split(";\n")[0])
    # The worker installs FILES less what it loads lazily (its LAZY pattern, a regex Python reads alike).
    lazy = re.compile(body.split("const LAZY=/")[1].split("/;\n")[0])
    return {f.removesuffix(f"?v={v}") for f in files if not lazy.search(f)}


@pytest.mark.parametrize(("path", "precached"), [
    ("/pwa/icons/icon-48.png", True),                # the page's own icon (index.html links it)
    ("/pwa/icons/icon-192.png", False),              # iOS's home-screen icon: Safari fetches it to install
    ("/pwa/icons/icon-512.png", False),              # named by the manifest only
    ("/pwa/icons/icon-maskable-512.png", False),
    ("/pwa/manifest.webmanifest", False),            # the browser reads /manifest.webmanifest itself
    ("/pwa/offline.html", True),
    ("/pwa/js/qr-worker.js", False),                 # the decoder's worker: kept with the decoder, if needed
    ("/pwa/js/screens/checklist.js", False),         # loaded during a campaign only
])
def test_what_the_worker_precaches(app, client, path, precached):
    assert (path in _precached(app, client)) is precached


def test_install_only_names_the_manifest_its_own_icons_and_the_home_screen_icon():
    assert shell.install_only(shell.ROOT) == {"manifest.webmanifest", "icons/icon-512.png",
                                              "icons/icon-maskable-512.png", "icons/icon-192.png"}
