"""Fill the Chinese catalog from translation fragments, after `make extract-messages`.

Fragments are small .po files under server/translations/pending/ (msgid + msgstr pairs), so that work on
different screens can add translations side by side without editing the one catalog at the same time.
Run: python scripts/merge_translations.py   (then `make translations` compiles).
"""

import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
CATALOG = ROOT / "server/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
PENDING = ROOT / "server/translations/pending"


def _translated(string) -> bool:
    """Say whether a msgstr is filled: a plural entry (a tuple of forms) needs every form."""
    if isinstance(string, tuple | list):
        return bool(string) and all(string)
    return bool(string)


def main() -> int:
    """Merge every fragment into the zh_CN catalog and report what is still untranslated."""
    with CATALOG.open("rb") as f:
        catalog = read_po(f, locale="zh_Hans_CN")
    filled = 0
    for fragment in sorted(PENDING.glob("*.po")):
        with fragment.open("rb") as f:
            for message in read_po(f):
                # A fragment has no Plural-Forms header: its plural entries come with two forms, the second
                # empty; Chinese has one form, so the first is the translation.
                if isinstance(message.string, tuple | list):
                    message.string = tuple(message.string[:1])
                if not message.id or not _translated(message.string):
                    continue
                target = catalog.get(message.id)
                if target is None:
                    continue
                if not _translated(target.string) or target.fuzzy:
                    forms = message.string if isinstance(message.string, tuple) else (message.string,)
                    plural = isinstance(target.string, tuple | list)
                    n = catalog.num_plurals
                    target.string = (forms * n)[:n] if plural else forms[0]
                    target.flags.discard("fuzzy")
                    filled += 1
    with CATALOG.open("wb") as f:
        write_po(f, catalog, width=110)
    missing = [m.id for m in catalog if m.id and (not _translated(m.string) or m.fuzzy)]
    print(f"filled {filled}; untranslated {len(missing)}")
    for mid in missing:
        print("  ", mid if isinstance(mid, str) else mid[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
