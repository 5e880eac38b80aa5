"""Refresh pwa/vendor/ from the npm registry: each package of pwa/vendor/vendor.json at its pinned version.

Run: .venv/bin/python scripts/vendor.py          (needs npm; `--check` only verifies the files' sha256)

`npm pack NAME@VERSION` fetches the package tarball (npm checks its integrity against the registry), the
listed files are copied under pwa/vendor/, and their sha256 are written back into vendor.json, which
tests/test_vendor.py compares with the files: a vendored file is never edited by hand. To move to a newer
release, change "version" in vendor.json, run this, run `make test`, and commit the lot.
"""

import argparse
import hashlib
import json
import shutil
import subprocess  # noqa: S404 (npm, with fixed arguments)
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "pwa" / "vendor"
MANIFEST = VENDOR / "vendor.json"


def sha256(path: Path) -> str:
    """Return the hex SHA-256 of a file."""
    return hashlib.sha256(path.read_bytes()).hexdigest()


def refresh(name: str, spec: dict) -> dict[str, str]:
    """Fetch one package at its pinned version, copy its listed files; return their sha256 by target."""
    npm = shutil.which("npm")
    if not npm:
        sys.exit("npm is needed to refresh pwa/vendor/ (apt-get install npm, or Node.js's own).")
    with tempfile.TemporaryDirectory() as tmp:
        command = [npm, "pack", f"{name}@{spec['version']}", "--silent", "--pack-destination", tmp]
        out = subprocess.run(command, check=True, capture_output=True, text=True).stdout.split()[-1]  # noqa: S603
        with tarfile.open(Path(tmp) / out) as tar:
            tar.extractall(tmp, filter="data")
        digests = {}
        for source, target in spec["files"].items():
            destination = VENDOR / target
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(Path(tmp) / "package" / source, destination)
            digests[target] = sha256(destination)
    return digests


def main() -> int:
    """Refresh (or with --check, verify) every vendored package."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only verify the vendored files' sha256")
    args = parser.parse_args()
    manifest = json.loads(MANIFEST.read_text(encoding="utf-8"))
    bad = []
    for name, spec in manifest["packages"].items():
        if args.check:
            bad += [t for t, d in spec["sha256"].items()
                    if not (VENDOR / t).is_file() or sha256(VENDOR / t) != d]
            continue
        spec["sha256"] = refresh(name, spec)
        print(f"{name}@{spec['version']}: {', '.join(spec['sha256'])}")
    if args.check:
        print("vendored files match vendor.json" if not bad else f"changed or missing: {', '.join(bad)}")
        return 1 if bad else 0
    MANIFEST.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
