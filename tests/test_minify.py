"""The field app's code as phones get it: comments and indentation out, everything the code means kept."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from server import shell
from server.minify import strip_css, strip_js

NODE = shutil.which("node")


@pytest.mark.parametrize(("source", "served"), [
    ("a = 1; // why\nb = 2;", "a=1;\nb=2;\n"),                              # a line comment: its break kept
    ("a /* why */ + b", "a + b\n"),                                          # a comment on one line: a space
    ("const f = (a, b) => { return a ? [b] : {}; };", "const f=(a,b)=>{return a?[b]:{};};\n"),
    ("a + +b - -c; x = -1", "a + +b - -c;x=-1\n"),                          # spaces that keep tokens apart
    ("a /* why,\n   at length */ b", "a\nb\n"),                              # over lines: a line break (ASI)
    ("/** Doc. */\nexport function f() {\n    return 1;\n}\n", "export function f(){\nreturn 1;\n}\n"),
    ('s = "http://x/*y*/"; // c', 's="http://x/*y*/";\n'),                   # strings are not scanned
    ("s = 'it\\'s // not';", "s='it\\'s // not';\n"),                        # escaped quotes
    ("r = /\\/\\/[/*]/g; // c", "r=/\\/\\/[/*]/g;\n"),                        # a regex holding // and /*
    ("x = a / b / c; // c", "x=a / b / c;\n"),                               # division, not a regex
    ("return /a\\/b/.test(s) // c", "return /a\\/b/.test(s)\n"),             # a regex after a keyword
    ("f(x) / 2 // c", "f(x)/ 2\n"),                                           # after ")": division
    ("t = `a // ${ {b: `c /* ${d} */`}.b } e`; // f", "t=`a // ${{b:`c /* ${d} */`}.b} e`;\n"),
    ("t = `line\n    indented // kept`;", "t=`line\n    indented // kept`;\n"),  # a template keeps its text
    ("a\n\n\n  b", "a\nb\n"),
])
def test_strip_js(source, served):
    assert strip_js(source) == served


@pytest.mark.parametrize(("source", "served"), [
    ("/* why */\na { color: red; }  /* more */\n", "a { color: red; }\n"),
    ('a::before { content: "/* kept */"; }', 'a::before { content: "/* kept */"; }\n'),
    (".x   .y,\n  .z { margin: 0 }", ".x .y,\n.z { margin: 0 }\n"),           # the descendant space kept
])
def test_strip_css(source, served):
    assert strip_css(source) == served


def _served(client, app, name: str) -> str:
    with app.app_context():
        v = shell.version()
    url = "/sw.js" if name == "sw.js" else f"/pwa/{name}?v={v}"
    return client.get(url, headers={"Accept-Encoding": "identity"}).get_data(as_text=True)


# Every file of the field app's own code (the vendored decoder is served as its authors ship it).
CODE = [p.relative_to(shell.ROOT).as_posix() for p in shell.pwa_files()
        if p.suffix in (".js", ".css") and "vendor" not in p.parts]


@pytest.mark.parametrize("name", CODE)
def test_code_is_served_without_comments_or_indentation(app, client, name):
    served = _served(client, app, name)
    assert not [line for line in served.splitlines() if line.startswith(("//", "/*", " "))]
    assert len(served) < len((shell.ROOT / name).read_text(encoding="utf-8"))


@pytest.mark.skipif(NODE is None and not os.environ.get("CI"),
                    reason="node checks the served code's syntax (apt-get install nodejs); CI must run this")
@pytest.mark.parametrize("name", [name for name in CODE if name.endswith(".js")])
def test_served_code_still_parses(app, client, tmp_path, name):
    assert NODE, "node is missing: CI must check the served code's syntax (apt-get install nodejs)"
    # Modules parse as modules (.mjs), the workers as classic scripts (.js).
    worker = name == "sw.js" or name.endswith("-worker.js")
    path = Path(tmp_path) / ("code.js" if worker else "code.mjs")
    path.write_text(_served(client, app, name), encoding="utf-8")
    checked = subprocess.run([NODE, "--check", str(path)], capture_output=True, text=True)  # noqa: S603
    assert checked.returncode == 0, checked.stderr


def test_vendored_code_is_served_as_shipped(app, client):
    with app.app_context():
        v = shell.version()
    served = client.get(f"/pwa/vendor/jsqr/jsQR.js?v={v}", headers={"Accept-Encoding": "identity"})
    assert served.data == (shell.ROOT / "vendor" / "jsqr" / "jsQR.js").read_bytes()
