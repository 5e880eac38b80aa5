"""The field app's code as phones get it: without its comments and indentation (issue 12).

The sources in pwa/ keep their comments (they say why, for whoever reads the code); a phone only runs it.
Comments and indentation were about a third of the field app's modules on the wire (brotli at its best:
36.7 kB of 18 modules, 26.4 kB without). No build step: the server takes them out when it first serves a
release (server/shell.py keeps the result), with a scanner that knows JavaScript's strings, template
literals and regular expressions, so that nothing inside those is touched. Line breaks are kept where any
whitespace or comment held one: JavaScript inserts semicolons at line ends, and a line break is never removed;
a space goes where no two tokens could run together without it.
"""

import re

# After these a "/" starts a regular expression, not a division (ECMA-262 §12: the goal symbol depends on the
# token before; a keyword such as `return` or `typeof` is followed by an expression).
_KEYWORDS = frozenset({"return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case",
                       "do", "else", "yield", "await"})
# After the ")" closing the head of one of these a statement starts, and with it maybe a regular expression
# (`if (ok) /x/.test(s)`); after any other ")" a "/" divides.
_HEADS = frozenset({"if", "while", "for", "with"})
# A space beside one of these joins no two tokens into another (`a = b` is `a=b`; `a + +b` keeps its space).
_SPACELESS = frozenset("{}()[];,:=?")
_WORD = re.compile(r"[A-Za-z0-9_$\u0080-\uffff]+")
# A number whole, its decimal point too: after `1.` a "/" divides (`1./2`), after a lone "." it could not.
_NUMBER = re.compile(r"(?:\d[\w]*\.?\w*|\.\d\w*)(?:(?<=[eE])[+-]\d\w*)?")
_SPACE = re.compile(r"\s+")


def _gap(text: str) -> str:
    """Return what stands for a run of whitespace and comments: a line break if it held one, else a space."""
    return "\n" if "\n" in text or "\r" in text or "\u2028" in text or "\u2029" in text else " "


def _quoted(source: str, i: int) -> int:
    """Return the index just past the string starting at source[i] (a ' or ")."""
    quote, i = source[i], i + 1
    while source[i] != quote:
        i += 2 if source[i] == "\\" else 1
    return i + 1


def _regex(source: str, i: int) -> int:
    """Return the index just past the regular expression literal starting at source[i] (a /), flags too."""
    i += 1
    in_class = False
    while in_class or source[i] != "/":
        if source[i] == "\\":
            i += 1
        elif source[i] == "[":
            in_class = True
        elif source[i] == "]":
            in_class = False
        i += 1
    i += 1
    while i < len(source) and (source[i].isalnum() or source[i] in "_$"):
        i += 1
    return i


def strip_js(source: str) -> str:
    """Return a JavaScript module or worker without its comments, its runs of whitespace made one."""
    out: list[str] = []
    # `templates`: for each template literal whose ${...} we are in, the depth of braces opened inside it.
    templates: list[int] = []
    # For each "(" open: whether the ")" closing it ends a statement's head (a regex may follow it).
    parens: list[bool] = []
    regex_may_follow = True
    last = ""  # the token before this one
    pending = ""  # the gap to write before the next token
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c.isspace() or source.startswith(("//", "/*"), i):
            start = i
            while i < n:
                if source[i].isspace():
                    i = _SPACE.match(source, i).end()
                elif source.startswith("//", i):
                    end = source.find("\n", i)
                    i = n if end < 0 else end
                elif source.startswith("/*", i):
                    i = source.index("*/", i + 2) + 2
                else:
                    break
            pending = _gap(source[start:i]) if out else ""
            continue
        if pending == "\n" or (pending and out[-1][-1] not in _SPACELESS and c not in _SPACELESS):
            out.append(pending)
        pending = ""
        if c in "'\"":
            end = _quoted(source, i)
            regex_may_follow = False
        elif c == "`" or (c == "}" and templates and templates[-1] == 0):
            if c == "}":
                templates.pop()  # the end of a ${...}: the template literal goes on
            end = i + 1
            while source[end] != "`" and not source.startswith("${", end):
                end += 2 if source[end] == "\\" else 1
            if source[end] == "`":
                end += 1
                regex_may_follow = False
            else:
                end += 2
                templates.append(0)
                regex_may_follow = True
        elif c == "/" and regex_may_follow:
            end = _regex(source, i)
            regex_may_follow = False
        elif number := _NUMBER.match(source, i):
            end = number.end()
            regex_may_follow = False
        elif word := _WORD.match(source, i):
            end = word.end()
            # `x.return / 2` divides: a property may be named as a keyword.
            regex_may_follow = word[0] in _KEYWORDS and not last.endswith(".")
        elif source.startswith(("++", "--"), i):
            end = i + 2  # `a++ / 2` divides (after a prefix ++ no regex could stand: it is not assignable)
            regex_may_follow = False
        else:
            end = i + 1
            if c == "{" and templates:
                templates[-1] += 1
            elif c == "}" and templates:
                templates[-1] -= 1
            if c == "(":
                parens.append(last in _HEADS)
            # After "]" a "/" divides; after ")" too unless it closed `if (...)` and the like; after "}" it
            # starts a regex (a block ended: `}\n/x/.test(s)`; nobody divides an object literal).
            regex_may_follow = (parens.pop() if parens else False) if c == ")" else c != "]"
        last = source[i:end]
        out.append(last)
        i = end
    return "".join(out) + "\n"


# CSS: a comment is no whitespace. Between two of these, or beside one, nothing stands for it (`.a/**/.b` is
# `.a.b`); elsewhere it stays as an empty comment, or `a/**/b` would become one name.
_CSS_JOINS = frozenset("{};,:>")
# An unquoted url(...) is one token: a "/*" or a run of spaces in it are its own (`url(/img/*.png)`).
_COMMENT = re.compile(r"/\*.*?\*/", re.DOTALL)
_CSS_URL = re.compile(r"url\(\s*[^\s'\")][^)]*\)", re.IGNORECASE)


def strip_css(source: str) -> str:
    """Return a stylesheet without its comments, its runs of whitespace made one (strings kept whole)."""
    out: list[str] = []
    pending = ""
    i, n = 0, len(source)
    while i < n:
        c = source[i]
        if c.isspace() or source.startswith("/*", i):
            start = i
            while i < n and (source[i].isspace() or source.startswith("/*", i)):
                i = source.index("*/", i + 2) + 2 if source[i] == "/" else _SPACE.match(source, i).end()
            spaces = _COMMENT.sub("", source[start:i])
            pending = (_gap(spaces) if spaces else "/**/") if out else ""
            continue
        if pending == "/**/" and (out[-1][-1] in _CSS_JOINS or c in _CSS_JOINS):
            pending = ""
        if c in "'\"":
            end = _quoted(source, i)
        elif url := _CSS_URL.match(source, i):
            end = url.end()
        else:
            end = i + 1
        out.append(pending + source[i:end])
        pending = ""
        i = end
    return "".join(out) + "\n"
