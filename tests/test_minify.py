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
    # What a regular expression may follow: a statement's head, a block, a keyword (not a property so named)
    ("if (ok) /a  b/.test(s)", "if(ok)/a  b/.test(s)\n"),                    # its spaces are its own
    ("while (i--) /'/.exec(s)", "while(i--)/'/.exec(s)\n"),                  # a quote in it starts no string
    ("}\n/a  b/.test(s)", "}\n/a  b/.test(s)\n"),                             # after a block
    ("[.../a  b/.exec(s)]", "[.../a  b/.exec(s)]\n"),                          # after a spread
    ("x = a++ / 2; y = 'q  r'", "x=a++ / 2;y='q  r'\n"),                       # after a++: division
    ("x = n-- / 2 / m", "x=n-- / 2 / m\n"),
    ("x = it.return / 2; y = 'q  r'", "x=it.return / 2;y='q  r'\n"),          # a property named `return`
    ("x = 1./2; y = '  '", "x=1./2;y='  '\n"),                                 # after a number's point
    ("x = f(a) / g(b) / 2", "x=f(a)/ g(b)/ 2\n"),                              # after a call: division
    ("x = ((a)) / 2 / ((b))", "x=((a))/ 2 /((b))\n"),
    # Spaces that keep two tokens apart
    ("a - --b; c + ++d; e++ +f; g-- - h", "a - --b;c + ++d;e++ +f;g-- - h\n"),
    ("x = 1 .toString() + 1..toFixed(1) + 1e-5", "x=1 .toString()+ 1..toFixed(1)+ 1e-5\n"),
    ("x = a ? .5 : b", "x=a?.5:b\n"),                                         # `?.` then a digit is a ?
    ("x = a < !--b; y = a-- > b", "x=a < !--b;y=a-- > b\n"),                  # no HTML-like comment made
    ("x = y in z; v = typeof w", "x=y in z;v=typeof w\n"),
    ("\\u0061bc = '\\u0041  \\x41'", "\\u0061bc='\\u0041  \\x41'\n"),   # unicode escapes as written
    ("s = '</script>' // c", "s='</script>'\n"),
    # Template literals: braces, strings, comments and templates inside ${}
    ("t = `${ '}' + `x${ \"`\" }` /* } */ }`", "t=`${'}' + `x${\"`\"}`}`\n"),
    ("t = `${ // a comment }\n 1 }`", "t=`${\n1}`\n"),
    ("t = `a\\${b}  c` + 1", "t=`a\\${b}  c` + 1\n"),                          # an escaped ${ is text
    ("t = `${ s.replace(/}/g, '') }`", "t=`${s.replace(/}/g,'')}`\n"),
    # Line breaks stay where a statement may end (ASI): before ( [ ` + - / and after return
    ("a\n(b)", "a\n(b)\n"),
    ("a\n  [1].map(f)", "a\n[1].map(f)\n"),
    ("a\n  `t`", "a\n`t`\n"),
    ("a = b\n  ++c", "a=b\n++c\n"),
    ("a\n  -b", "a\n-b\n"),
    ("x = a / b // c\n  / d", "x=a / b\n/ d\n"),
    ("return // c\n  x", "return\nx\n"),
])
def test_strip_js(source, served):
    assert strip_js(source) == served


@pytest.mark.parametrize(("source", "served"), [
    ("/* why */\na { color: red; }  /* more */\n", "a { color: red; }\n"),
    ('a::before { content: "/* kept */"; }', 'a::before { content: "/* kept */"; }\n'),
    (".x   .y,\n  .z { margin: 0 }", ".x .y,\n.z { margin: 0 }\n"),           # the descendant space kept
    ("a :hover, b:hover {}", "a :hover, b:hover {}\n"),                      # any descendant vs b's own
    ("a:not(.b  .c) { width: calc(100%  -  2rem) }", "a:not(.b .c) { width: calc(100% - 2rem) }\n"),
    # A comment is no whitespace: .a/**/.b is .a.b, not .a .b; x/**/y two names, not one (kept apart)
    (".a/* c */.b, x/* c */y {}", ".a/**/.b, x/**/y {}\n"),
    ("a/* c */{ b: c/* d */; }", "a{ b: c; }\n"),
    ("a { background: url(/img/*.png)  }  b /* c */ {}", "a { background: url(/img/*.png) } b {}\n"),
    ("a { background: url(  'x  y.png'  ) }", "a { background: url( 'x  y.png' ) }\n"),
    ('a::after { content: "\\"  /* no */" }', 'a::after { content: "\\"  /* no */" }\n'),
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


def _run(program: str) -> str:
    """Return what node prints for `out` after running a script."""
    checked = subprocess.run([NODE, "-e", f"let out;\n{program}\nconsole.log(JSON.stringify(out))"],  # noqa: S603
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    return checked.stdout.strip()


# Programs whose meaning hangs on how a "/", a line break or a space is read, and the value each leaves.
@pytest.mark.skipif(NODE is None and not os.environ.get("CI"),
                    reason="node runs the served code (apt-get install nodejs); CI must run this")
@pytest.mark.parametrize(("program", "value"), [
    ("const s = 'a  b'; if (s) /a  b/.test(s) && (out = 1)", "1"),
    ("const s = \"it's\"; for (const c of [s]) /'/.test(c) && (out = c.length)", "4"),
    ("{ }\n/x  y/.test('x  y') && (out = 2)", "2"),
    ("let a = 4; const b = 'q  r'; out = [a++ / 2, b, a-- / 5]", '[2,"q  r",1]'),
    ("const it = { return: 6 }; out = [it.return / 2 / 3, ' x ']", '[1," x "]'),
    ("out = [1./2, 1 .toString(), 1..toFixed(1), 1e-1 - -1, '  ']", '[0.5,"1","1.0",1.1,"  "]'),
    ("let a = 1, b = 2; out = [a - -b, a + +b, a - --b, b]", "[3,3,0,1]"),
    ("const d = 1; out = `<${ `${'}'}${ /* } */ d }` }>` // ${", '"<}1>"'),
    ("let a = 1, b = 2\nb\n++a\nout = [a, b]", "[2,2]"),
    ("function f() { return // c\n  1 }\nout = f()", None),
    ("out = [/[/]\\//.source, 6 /2/ 3]", '["[/]\\\\/",1]'),
])
def test_served_code_means_the_same(program, value):
    assert NODE, "node is missing: CI must run the served code (apt-get install nodejs)"
    assert _run(program) == _run(strip_js(program)) == ("undefined" if value is None else value)
