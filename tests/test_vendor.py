"""Vendored front-end libraries are exactly the npm releases vendor.json pins, each with its licence."""

import importlib.util
import json
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "pwa" / "vendor"


def _script():
    spec = importlib.util.spec_from_file_location("vendor_script", ROOT / "scripts" / "vendor.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_vendored_files_match_their_pinned_release():
    script = _script()
    manifest = json.loads((VENDOR / "vendor.json").read_text(encoding="utf-8"))
    for name, spec in manifest["packages"].items():
        assert spec["version"].count(".") == 2, f"{name} is pinned to an exact version"
        assert set(spec["sha256"]) == set(spec["files"].values()), f"{name}: every file has its digest"
        for target, digest in spec["sha256"].items():
            assert script.sha256(VENDOR / target) == digest, f"{target} was changed: run scripts/vendor.py"
        assert any(Path(t).name.upper().startswith(("LICENSE", "LICENCE")) for t in spec["files"].values()), (
            f"{name} ships its licence")
