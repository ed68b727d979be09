"""The rules of an instrument's columns: which spellings each accepts, what it expects, and the
dtype of its tidy column.

Validation (:mod:`.validate`) converts cells with these rules; a column mapping
(:mod:`.mapping`) checks its recodes against them. Both import them from here, so neither imports
the other for them.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

import pandas as pd

from ..instruments import Column, Instrument

#: The dtype of date columns in tidy frames (pandas 3's own unit for parsed dates).
DATE_DTYPE = "datetime64[us]"

#: Words used in "expected ..." descriptions.
_EXPECT = {
    "nl": {"integer": "een geheel getal", "number": "een getal",
           "from_to": "van {low} tot en met {high}",
           "or_missing": "of een code voor ontbrekend: {codes}", "blank": "of leeg",
           "yes_no": "1 = ja, 0 = nee", "more": "… (zie de toelichting in het sjabloon)",
           "did_you_mean": "; bedoelt u '{0}'?"},
    "en": {"integer": "a whole number", "number": "a number", "from_to": "from {low} to {high}",
           "or_missing": "or a missing-value code: {codes}", "blank": "or blank",
           "yes_no": "1 = yes, 0 = no", "more": "… (see the explanation sheet of the template)",
           "did_you_mean": "; did you mean '{0}'?"},
}

_MISSING, _BAD = object(), object()

# Extra spellings accepted in yes/no columns (and ticks in multiple-choice columns).
_YES_WORDS = ("ja", "yes", "j", "y", "true", "waar")
_NO_WORDS = ("nee", "no", "n", "false", "onwaar")
_TICKS = ("x", "✓", "v")


def _fmt_number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _suggest(value: str, known: list[str], language: str) -> str:
    close = difflib.get_close_matches(value.casefold(), [k.casefold() for k in known], n=1,
                                      cutoff=0.6)
    if not close:
        return ""
    original = next(k for k in known if k.casefold() == close[0])
    return _EXPECT[language]["did_you_mean"].format(original)


# -- per column: what is accepted ------------------------------------------------------------
@dataclass
class _ColumnRules:
    column: Column
    kind: str                       # identifier text integer number categorical yes_no option date
    lookup: dict[str, object] = field(default_factory=dict)   # casefolded text -> key/_MISSING
    missing_numbers: frozenset = frozenset()
    expected: str = ""
    label: str = ""


def _answer_lookup(column: Column, is_option: bool) -> dict[str, object]:
    """Accepted spellings (case-folded) -> answer key, or _MISSING for missing-value codes.

    Codes, keys, Dutch and English labels and aliases are accepted; a spelling that would mean two
    different answers is left out (ambiguous), and answers win over missing-value labels."""
    candidates: dict[str, set] = {}

    def add(text: object, target: object) -> None:
        t = str(text).strip().casefold()
        if t:
            candidates.setdefault(t, set()).add(target)

    assert column.answers is not None
    for a in column.answers.answers:
        for spelling in (a.code, a.key, a.label.nl, a.label.en, *a.aliases):
            add(spelling, a.key)
    if column.type == "yes_no":
        for w in _YES_WORDS + (_TICKS if is_option else ()):
            add(w, "yes")
        for w in _NO_WORDS:
            add(w, "no")
    lookup: dict[str, object] = {}
    for text, targets in candidates.items():
        if len(targets) == 1:
            lookup[text] = next(iter(targets))
    # codes are never ambiguous: a code is exactly one answer
    for a in column.answers.answers:
        lookup[str(a.code)] = a.key
    for code, label in column.missing.items():
        lookup.setdefault(str(code), _MISSING)
        for spelling in (label.nl, label.en, *column.missing_aliases.get(code, ())):
            lookup.setdefault(spelling.strip().casefold(), _MISSING)
    return lookup


def _missing_lookup(column: Column) -> dict[str, object]:
    """Missing-value codes, their labels and declared aliases (``n.v.t.``, ``wn``), case-folded."""
    out: dict[str, object] = {}
    for code, label in column.missing.items():
        out[str(code)] = _MISSING
        for spelling in (label.nl, label.en, *column.missing_aliases.get(code, ())):
            out[spelling.strip().casefold()] = _MISSING
    return out


def _describe_expected(column: Column, kind: str, language: str) -> str:
    w = _EXPECT[language]
    missing = ", ".join(f"{c} = {t(language)}" for c, t in column.missing.items())
    if kind in ("integer", "number"):
        text = w[kind]
        if column.range is not None:
            text += " " + w["from_to"].format(low=_fmt_number(column.range[0]),
                                              high=_fmt_number(column.range[1]))
    elif kind in ("categorical", "yes_no", "option"):
        assert column.answers is not None
        answers = column.answers.answers
        shown = ", ".join(f"{a.code} = {a.label(language)}" for a in answers[:12])
        text = shown + (w["more"] if len(answers) > 12 else "")
    else:
        return ""
    if missing:
        text += f" ({w['or_missing'].format(codes=missing)})"
    return text


def _rules_for(instrument: Instrument, language: str) -> dict[str, _ColumnRules]:
    out = {}
    for column in instrument.columns:
        item_type = instrument.item(column.item).type
        is_option = item_type == "multiple_choice"
        kind = "option" if is_option else column.type
        rules = _ColumnRules(column=column, kind=kind, label=column.label(language))
        if column.is_coded:
            rules.lookup = _answer_lookup(column, is_option)
        elif column.is_numeric:
            rules.lookup = _missing_lookup(column)
            rules.missing_numbers = frozenset(float(c) for c in column.missing)
        rules.expected = _describe_expected(column, kind, language)
        out[column.name] = rules
    return out


def same_dtype(a, b) -> bool:
    """Exactly the same dtype: ``==`` alone takes pandas' ``str`` (NaN for missing) and
    ``string`` (NA for missing) as equal."""
    return a == b and type(a) is type(b) and (getattr(a, "na_value", None)
                                              is getattr(b, "na_value", None))


_RULES_CACHE: dict[tuple[int, str], tuple[Instrument, dict[str, _ColumnRules], dict]] = {}


def _cached_rules(instrument: Instrument, language: str
                  ) -> tuple[dict[str, _ColumnRules], dict[str, object]]:
    """The rules and tidy dtypes of an instrument's columns, made once per instrument object
    and language (a study has thousands of files of a dozen instruments)."""
    key = (id(instrument), language)
    hit = _RULES_CACHE.get(key)
    if hit is not None and hit[0] is instrument:
        return hit[1], hit[2]
    rules = _rules_for(instrument, language)
    dtypes = {c.name: tidy_dtype(instrument, c) for c in instrument.columns}
    if len(_RULES_CACHE) > 64:
        _RULES_CACHE.clear()
    _RULES_CACHE[key] = (instrument, rules, dtypes)
    return rules, dtypes



def tidy_dtype(instrument: Instrument, column: Column):
    """The dtype of a column in the tidy frame (docs/tidy-data.md)."""
    if column.type == "categorical":
        return pd.CategoricalDtype(categories=column.answers.keys(), ordered=column.answers.ordered)
    return {"identifier": "string", "text": "string", "integer": "Int64", "number": "Float64",
            "yes_no": "boolean", "date": DATE_DTYPE}[column.type]
