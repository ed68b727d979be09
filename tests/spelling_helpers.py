"""Spelling of the generated text of reports: hunspell dictionaries (Debian's hunspell-nl and
hunspell-en-gb) read by spylls, plus the workbench's own vocabulary (tests/spelling/)."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

HERE = Path(__file__).resolve().parent / "spelling"
DICTIONARIES = {"nl": ("/usr/share/hunspell/nl", "/usr/share/hunspell/nl_NL"),
                "en": ("/usr/share/hunspell/en_GB",)}
#: roles of node texts that hold data or an author's words, not generated sentences
NOT_GENERATED = {"cell", "quote", "author", "region-profile", "provenance", "source"}
_WORD = re.compile(r"[^\W\d_](?:[\w'’]*[^\W\d_])?", re.UNICODE)


def dictionary_path(language: str) -> str | None:
    for base in DICTIONARIES[language]:
        if Path(base + ".dic").is_file() and Path(base + ".aff").is_file():
            return base
    return None


def missing_reason(language: str) -> str | None:
    try:
        import spylls  # noqa: F401
    except ImportError:
        return "spylls is not installed (pip install spylls)"
    if dictionary_path(language) is None:
        package = {"nl": "hunspell-nl", "en": "hunspell-en-gb"}[language]
        return f"the {package} dictionary is not installed (.ci/install-tools)"
    return None


@lru_cache(maxsize=None)
def dictionary(language: str):
    from spylls.hunspell import Dictionary

    return Dictionary.from_files(dictionary_path(language))


@lru_cache(maxsize=None)
def vocabulary(language: str) -> frozenset[str]:
    words = set()
    for name in ("common.txt", f"{language}.txt"):
        path = HERE / name
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                line = line.split("#", 1)[0].strip()
                if line:
                    words.add(line)
    return frozenset(words)


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def unknown_words(texts, language: str, names: frozenset[str] = frozenset()) -> dict[str, str]:
    """Unknown word -> the first text it occurs in."""
    known = vocabulary(language) | names
    d = dictionary(language)
    cache: dict[str, bool] = {}

    def ok(word: str) -> bool:
        if word in cache:
            return cache[word]
        w = word.replace("’", "'")
        good = (w in known or w.lower() in known or d.lookup(w)
                or (w[:1].isupper() and d.lookup(w.lower()))
                or (w.endswith("'s") and (d.lookup(w[:-2]) or w[:-2] in known)))
        cache[word] = bool(good)
        return cache[word]

    out: dict[str, str] = {}
    for text in texts:
        for token in words(text):
            parts = [token] if ok(token) else token.split("-")
            for part in parts:
                if part and not ok(part) and part not in out:
                    out[part] = text
    return out
