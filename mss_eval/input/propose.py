"""Proposing a column mapping for a survey tool's export (``mss-eval map``).

The proposal matches each column of the export to an item of the instrument by what the export
says about it: its name, its label (SPSS variable label, the Qualtrics question row, a LimeSurvey
``.lss`` question text, a Castor field label) and its answer labels (SPSS value labels, answer
texts), against the item's name, Dutch and English labels and answer labels. Names and labels are
compared with rapidfuzz (token-based similarity of normalised text, 0-100); a column whose value
labels match an item's answers gains confidence. Each column goes to at most one item and the
other way round (best pairs first). Answer codes are recoded where the labels say they differ
(``A1`` -> ``1``, SPSS ``0 = man`` -> ``1``).

Every line gets a confidence (0-1); a line below :data:`SURE` gets a ``# controleer`` comment.
The proposal is a starting point: a person confirms it, and ``mss-eval validate`` then reads it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

import pandas as pd

from ..instruments import Column, Instrument
from .exports import IDENTIFYING_METADATA, Structure, lime_code, metadata_kind
from .mapping import ColumnRule, MultipleChoice, ProposedLine, _text

#: A pair scoring at least this (0-100) is proposed without a "controleer" comment.
SURE = 85
#: Below this a column is left unmatched.
CUTOFF = 60
#: Words that mean "chosen" / "not chosen" in value labels of option columns.
_CHOSEN = ("ja", "yes", "genoemd", "aangekruist", "gekozen", "selected", "checked", "wel", "y")
_NOT_CHOSEN = ("nee", "no", "niet genoemd", "niet aangekruist", "niet gekozen", "not selected",
               "unchecked", "niet", "n")
#: Castor EDC's own missing-value codes and the instrument's that mean the same.
CASTOR_MISSING = {"-95": 99, "-96": 97, "-97": 99, "-98": 98, "-99": 99}


def normalise(text: str) -> str:
    """Lower case, accents off, punctuation and ``_`` as spaces, one space between words."""
    text = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    return re.sub(r"\s+", " ", re.sub(r"[^a-z0-9]+", " ", text.casefold())).strip()


def similarity(a: str, b: str) -> float:
    """0-100: how alike two names or labels are (rapidfuzz, after :func:`normalise`)."""
    from rapidfuzz import fuzz

    a, b = normalise(a), normalise(b)
    if not a or not b:
        return 0.0
    if a == b:
        return 100.0
    return 0.5 * fuzz.token_sort_ratio(a, b) + 0.5 * fuzz.token_set_ratio(a, b)


@dataclass
class Target:
    """Something a source column can map to: an instrument column or a multiple-choice item."""

    name: str
    texts: list[str]
    column: Column | None = None       # None for a multiple-choice item (one column, separated)
    question: str = ""                 # for an expanded column: the item's label
    option: str = ""                   # and the option's label


def _targets(instrument: Instrument) -> list[Target]:
    out = []
    for c in instrument.columns:
        item = instrument.item(c.item)
        texts = [c.name.replace("_", " "), c.label.nl, c.label.en]
        target = Target(c.name, texts, column=c)
        if c.option is not None:
            opt = next(a for a in (instrument.answer_set(item) if item.type == "multiple_choice"
                                   else instrument.answer_sets[item.per]).answers
                       if a.key == c.option)
            target.question = f"{item.label.nl} | {item.label.en} | {item.name}"
            target.option = f"{opt.label.nl} | {opt.label.en} | {opt.key}"
        out.append(target)
    for item in instrument.items:
        if item.type == "multiple_choice":
            out.append(Target(item.name, [item.name.replace("_", " "), item.label.nl,
                                          item.label.en]))
    return out


_SPLIT = re.compile(r"\s+[-–:|]\s+|:\s*|\[|\]")


def _score(source: str, label: str, target: Target) -> float:
    best = 0.0
    for s in (source, label):
        if not s:
            continue
        for t in target.texts:
            best = max(best, similarity(s, t))
        if target.option:
            # "question - option" labels (Qualtrics, LimeSurvey subquestions, SPSS) against
            # the item's label and the option's label, the option weighing most
            parts = [p for p in _SPLIT.split(s) if p and p.strip()]
            if len(parts) >= 2:
                q, o = " ".join(parts[:-1]), parts[-1]
                sq = max(similarity(q, x) for x in target.question.split(" | "))
                so = max(similarity(o, x) for x in target.option.split(" | "))
                best = max(best, 0.4 * sq + 0.6 * so)
    return best


def _answer_texts(column: Column) -> list[tuple[str, str]]:
    """(text, instrument code) pairs an answer label may be matched with: answers and missing
    codes with their labels and aliases; yes/no columns with their synonyms."""
    pairs: list[tuple[str, str]] = []
    if column.answers is not None:
        for a in column.answers.answers:
            for t in (a.label.nl, a.label.en, a.key, *a.aliases):
                pairs.append((t, str(a.code)))
        if column.type == "yes_no":
            pairs += [(w, "1") for w in _CHOSEN] + [(w, "0") for w in _NOT_CHOSEN]
    for code, label in column.missing.items():
        for t in (label.nl, label.en, *column.missing_aliases.get(code, ())):
            pairs.append((t, str(code)))
    return pairs


def _declared(code: str, spans: list[tuple[float, float]]) -> bool:
    try:
        number = float(code)
    except ValueError:
        return False
    return any(lo <= number <= hi for lo, hi in spans)


def _recode(labels: dict[str, str], column: Column,
            declared: list[tuple[float, float]] | None = None,
            exact: bool = False) -> tuple[dict[str, int], float]:
    """Source code -> instrument code from the source's answer labels; and how well they matched
    (0-100, the weakest label that was matched; 0 when none). A label on a code the file
    declares missing (SPSS user-missing ``99 = onbekend``) is read as missing whatever its text,
    so it does not count against the match."""
    pairs = _answer_texts(column)
    if not pairs:
        return {}, 0.0
    labels = {code: label for code, label in labels.items()
              if not _declared(_text(code), declared or [])}
    if not labels:
        return {}, 0.0
    out: dict[str, int] = {}
    worst = 100.0
    matched = 0
    for code, label in labels.items():
        scored = [(similarity(label, t), c) for t, c in pairs]
        score, target = max(scored, key=lambda x: x[0])
        if score < (100 if exact else 80):
            continue  # values standing in for labels must be the answers themselves
        matched += 1
        worst = min(worst, score)
        out[_text(code)] = int(target)
    if not matched:
        return {}, 0.0
    share = matched / max(1, len(labels))
    return out, worst * share


@dataclass
class Proposal:
    """A proposed mapping: its lines, what was dropped, what is left unmatched."""

    instrument: str
    tool: str | None
    lines: list[ProposedLine] = field(default_factory=list)
    drop: list[str] = field(default_factory=list)
    #: Dropped because the survey structure marks them as identifying (REDCap "Identifier?").
    flagged: list[str] = field(default_factory=list)
    unmatched: list[str] = field(default_factory=list)
    missing_items: list[str] = field(default_factory=list)
    values: dict[str, int] = field(default_factory=dict)
    multiple_choice: MultipleChoice | None = None

    @property
    def to_check(self) -> list[ProposedLine]:
        return [ln for ln in self.lines if ln.check]


def _distinct(values: pd.Series, limit: int = 50) -> list[str]:
    return [str(v) for v in values.dropna().unique()[:limit]]


def _guess_separator(values: list[str]) -> str | None:
    for sep in (";", ",", "|"):
        if any(sep in v for v in values):
            return sep
    return None


def propose(raw, instrument: Instrument, structure: Structure | None = None,
            language: str = "nl") -> Proposal:
    """Propose a mapping of a read export (:class:`~mss_eval.input.readers.RawTable`) to an
    instrument: one :class:`~mss_eval.input.mapping.ProposedLine` per matched column."""
    from .validate import _cached_rules

    structure = (structure or Structure()).for_table(raw.columns, raw.positions)
    rules, _ = _cached_rules(instrument, language)
    tool = raw.tool or structure.tool
    proposal = Proposal(instrument=instrument.id, tool=tool)
    if tool == "castor":
        proposal.values = dict(CASTOR_MISSING)
    sources = []
    for c in raw.columns:
        if c in structure.identifiers:
            proposal.drop.append(c)
            proposal.flagged.append(c)
            continue
        kind = metadata_kind(c, tool, raw.data[c])
        if kind == "identifying" or (tool in IDENTIFYING_METADATA
                                     and c in IDENTIFYING_METADATA[tool]):
            proposal.drop.append(c)
            continue
        if kind == "survey":
            continue
        sources.append(c)
    # LimeSurvey's "code. text" headings carry the code the structure knows
    code = {c: lime_code(c) if tool == "limesurvey" else c for c in sources}
    labels = {c: structure.labels.get(c) or structure.labels.get(code[c])
              or raw.labels.get(c, "") for c in sources}
    answer_labels = {c: structure.answers.get(c) or structure.answers.get(code[c])
                     or raw.value_labels.get(c, {}) for c in sources}
    derived: set[str] = set()  # columns whose values stand in for answer labels
    for c in sources:
        if not answer_labels[c]:
            # no labels: a column whose values are texts is its own labels ("Jonger dan 25")
            values = _distinct(raw.data[c], limit=30)
            texts = [v for v in values if re.search(r"[^\W\d_]", v)]
            if texts and len(values) < 30 and len(texts) * 2 >= len(values):
                answer_labels[c] = {v: v for v in texts}
                derived.add(c)
    declared = {c: raw.declared_missing.get(c, []) for c in sources}
    targets = _targets(instrument)
    # an answer set that only one item uses tells that item by its answers alone
    sets: dict[tuple, int] = {}
    for t in targets:
        if t.column is not None and t.column.answers is not None:
            k = tuple(a.key for a in t.column.answers.answers)
            sets[k] = sets.get(k, 0) + 1
    scores: list[tuple[float, str, Target, dict, str]] = []
    for s in sources:
        ranked = sorted(((_score(s, labels[s], t), t) for t in targets), key=lambda x: -x[0])
        base = ranked[:6]
        if answer_labels[s]:
            base += [(sc, t) for sc, t in ranked[6:] if t.column is not None
                     and t.column.answers is not None
                     and sets[tuple(a.key for a in t.column.answers.answers)] == 1]
        for score, t in base:
            distinctive = (t.column is not None and t.column.answers is not None
                           and sets[tuple(a.key for a in t.column.answers.answers)] == 1)
            if score < CUTOFF - 15 and not distinctive:
                continue
            values, reason = {}, ""
            if t.column is not None and t.column.is_coded and answer_labels[s] and not (
                    s in derived and t.column.option is not None):
                values, fit = _recode(answer_labels[s], t.column, declared[s],
                                      exact=s in derived)
                if fit >= 80:
                    score = min(100.0, score + 10)
                    if distinctive and fit >= 95:
                        # the answers are this item's and no other's: worth a look at least
                        score = max(score, SURE - 5)
                    reason = "antwoorden" if language == "nl" else "answers"
                elif s in derived:
                    values = {}  # texts that are not this item's answers: the data decide
                else:
                    score -= 10  # labelled answers that are not this item's
            scores.append((score, s, t, values, reason))
    scores.sort(key=lambda x: -x[0])
    used_sources: set[str] = set()
    used_targets: set[str] = set()
    chosen: dict[str, ProposedLine] = {}
    for score, s, t, values, reason in scores:
        if score < CUTOFF or s in used_sources or t.name in used_targets:
            continue
        if t.column is None and any(c.item == t.name for c in instrument.columns
                                    if c.name in used_targets):
            continue
        if t.column is not None and t.column.option is not None and t.column.type == "yes_no" \
                and t.column.item in used_targets:
            continue
        line = _line(s, t, values, score, reason, raw, instrument, rules,
                     {} if s in derived else answer_labels[s], language, proposal.values)
        if line is None:
            continue
        used_sources.add(s)
        used_targets.add(t.name)
        if t.column is None:
            used_targets.update(c.name for c in instrument.columns_of(t.name))
        chosen[s] = line
    _keep_groups_together(chosen, scores, instrument, raw, rules, language, proposal.values,
                          {s: ({} if s in derived else answer_labels[s]) for s in sources})
    for s, line in chosen.items():
        condition = structure.branching.get(s)
        if condition:
            # REDCap asks the field only under this condition: a blank cell may mean
            # "not asked" (97) rather than "no answer"
            asked = "gevraagd als" if language == "nl" else "asked if"
            line.reason = f"{line.reason} ({asked} {' '.join(condition.split())})".strip()
    proposal.lines = [chosen[s] for s in sources if s in chosen]
    proposal.unmatched = [s for s in sources if s not in chosen]
    covered = {t for t in used_targets}
    important = [c for c in instrument.columns if c.required or c.used_for is not None]
    proposal.missing_items = [c.name for c in important if c.name not in covered]
    return proposal


#: The stem of a column that is one option of a question: REDCap ``wensen___3``, Castor
#: ``wensen#Zingeving``, Qualtrics ``Q12_3``, LimeSurvey ``Q2[SQ003]``.
_OPTION_STEM = re.compile(r"^(.+?)(?:___\w+|#.+|_\d+|\[[^\]]+\])$")


def _keep_groups_together(chosen: dict[str, ProposedLine], scores: list, instrument: Instrument,
                          raw, rules, language: str, shared: dict,
                          labels: dict[str, dict]) -> None:
    """Options of one question in the export are options of one item: when most columns of a
    group (same stem) went to the options of one multiple-choice item, a column of the group
    that went elsewhere (``wensen___3`` to ``paid_work``, not to the need for paid work) is
    given that item's best remaining option instead, when one scores above the cut-off."""
    groups: dict[str, list[str]] = {}
    for source in chosen:
        m = _OPTION_STEM.match(source)
        if m:
            groups.setdefault(m.group(1), []).append(source)
    item_of = {c.name: c.item for c in instrument.columns if c.option is not None}
    for members in groups.values():
        items = [item_of.get(chosen[m].rule.item) for m in members]
        counts = {i: items.count(i) for i in set(items) if i is not None}
        if not counts:
            continue
        item, count = max(counts.items(), key=lambda kv: kv[1])
        if count < 2 or count * 2 <= len(members):
            continue
        taken = {ln.rule.item for ln in chosen.values()}
        for member in members:
            if item_of.get(chosen[member].rule.item) == item:
                continue
            options = [(score, t, values, reason) for score, s, t, values, reason in scores
                       if s == member and t.column is not None and t.column.item == item
                       and t.name not in taken and score >= CUTOFF]
            if not options:
                continue
            score, t, values, reason = max(options, key=lambda x: x[0])
            line = _line(member, t, values, score, reason, raw, instrument, rules,
                         labels[member], language, shared)
            if line is not None:
                taken.discard(chosen[member].rule.item)
                chosen[member] = line
                taken.add(t.name)


def _line(source: str, target: Target, values: dict, score: float, reason: str, raw,
          instrument: Instrument, rules, labels: dict[str, str], language: str,
          shared: dict | None = None) -> ProposedLine | None:
    """The proposed line for one pair, with the recodes the data need (``shared``: the
    recodes the whole mapping applies, such as Castor's missing codes)."""
    shared = {str(k): v for k, v in (shared or {}).items()}
    data_values = [v for v in _distinct(raw.data[source])
                   if not (_as_code(v) in shared and target.column is not None
                           and (target.column.is_coded or target.column.is_numeric))]
    check = score < SURE
    if target.column is None:
        # a multiple-choice item answered in one column: options separated
        sep = _guess_separator(data_values) or ","
        answers = instrument.answer_set(instrument.item(target.name))
        codes: dict[str, int] = {}
        tokens = {tok.strip() for v in data_values for tok in v.split(sep) if tok.strip()}
        lookup = {normalise(t): a.code for a in answers.answers
                  for t in (str(a.code), a.key, a.label.nl, a.label.en, *a.aliases)}
        for token in sorted(tokens):
            text = labels.get(token, token)
            hit = lookup.get(normalise(text))
            if hit is None:
                best = max(((similarity(text, t), a.code) for a in answers.answers
                            for t in (a.label.nl, a.label.en)), key=lambda x: x[0])
                if best[0] >= 80:
                    hit = best[1]
                else:
                    check = True
                    continue
            if str(hit) != token:
                codes[token] = hit
        rule = ColumnRule(item=target.name, separator=sep, values=codes)
        return ProposedLine(source, rule, round(score / 100, 2), reason, check)
    column = target.column
    r = rules[column.name]
    other = None
    if "-oth-" in data_values and column.answers is not None and raw.tool == "limesurvey":
        # LimeSurvey writes '-oth-' for its "Other" answer
        other = next((a.code for a in column.answers.answers if a.key == "other"), None)
    if r.kind in ("categorical", "yes_no", "option"):
        if other is not None:
            data_values = [v for v in data_values if v != "-oth-"]
        if not values and data_values:
            values = _values_from_data(data_values, column, r)
            if values is None:
                check = True
                values = _a_codes(data_values)
        # unresolved data values left after recoding: the line needs a look
        unresolved = [v for v in data_values
                      if r.lookup.get(str(values.get(v, v)).casefold()) is None
                      and r.lookup.get(v.casefold()) is None
                      and not _numeric_missing(v, r)]
        if unresolved:
            check = True
            if len(unresolved) * 2 >= len(data_values):
                return None  # the values say it is not this item ('Yes' is no age band)
        values = {k: v for k, v in values.items() if str(v) != k}
        if other is not None:
            values["-oth-"] = other
    elif r.kind in ("integer", "number") and labels:
        values = {}
        for code, text in labels.items():
            for t, c in _answer_texts(column):
                if similarity(text, t) >= 90 and str(c) != _text(code):
                    values[_text(code)] = int(c)
                    break
    else:
        values = {}
    if r.kind in ("integer", "number", "date") and data_values \
            and not _values_fit(data_values, column, r, values):
        return None
    rule = ColumnRule(item=column.name, values=values)
    return ProposedLine(source, rule, round(min(score, 100) / 100, 2), reason, check)


def _values_fit(values: list[str], column: Column, r, recodes: dict) -> bool:
    """Do most of a column's values fit a number or date item (numbers within its range,
    dates that read as dates)? A column of times or of answer texts is not a rating."""
    from .validate import parse_date, parse_number

    fit = 0
    for v in values:
        v = str(recodes.get(v, v))
        if r.lookup.get(v.casefold()) is not None or _numeric_missing(v, r):
            fit += 1
            continue
        if r.kind == "date":
            fit += parse_date(v) is not None
            continue
        number = parse_number(v)
        if number is None:
            continue
        if column.range is not None and not (column.range[0] <= number <= column.range[1]):
            continue
        fit += 1
    return fit * 2 >= len(values)


def _as_code(value: str) -> str:
    """``-95.0`` as ``-95`` (Castor's API writes its missing codes as floats)."""
    return _text(float(value)) if re.fullmatch(r"[+-]?\d+\.0+", value) else value


def _numeric_missing(value: str, r) -> bool:
    try:
        return float(value) in r.missing_numbers
    except ValueError:
        return False


def _values_from_data(values: list[str], column: Column, r) -> dict[str, int] | None:
    """Recodes for the values a column holds when there are no labels: none needed when every
    value is already an answer; a lone value of an option column means "chosen"; text values
    matched to answer labels. ``None`` when some value cannot be placed."""
    if all(r.lookup.get(v.casefold()) is not None for v in values):
        return {}
    if r.kind == "option":
        filled = [v for v in values if v.casefold() not in ("0", "n", "nee", "no")]
        if len(filled) == 1:
            return {filled[0]: 1}
    out: dict[str, int] = {}
    pairs = _answer_texts(column)
    for v in values:
        if r.lookup.get(v.casefold()) is not None:
            continue
        score, code = max(((similarity(v, t), c) for t, c in pairs), key=lambda x: x[0],
                          default=(0, ""))
        if score < 80:
            return None
        out[v] = int(code)
    return out


def _a_codes(values: list[str]) -> dict[str, int]:
    """LimeSurvey answer codes without their texts: ``A1`` -> 1, ``A2`` -> 2 (a guess, checked)."""
    out = {}
    for v in values:
        m = re.fullmatch(r"[A-Za-z]+0*(\d+)", v)
        if m:
            out[v] = int(m.group(1))
    return out
