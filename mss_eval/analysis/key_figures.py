"""Key figures of a region, a round or the whole study, as a nested JSON-ready dictionary.

:func:`key_figures` is what a report writes as ``figures.json`` and what authors' placeholders
(``{{ region.personal.rating_mean }}``) read. Every figure is a record ::

    {"value": 7.9, "n": 39, "suppressed": false, "definition": "personal.rating_mean",
     "unit": "rating", "ci_low": 7.5, "ci_high": 8.3}

with plain ``int``/``float``/``str``/``bool``/``None`` values only; ``ci_low``/``ci_high`` appear
for figures with an interval. A suppressed figure has ``value: null`` (and no interval values).
A figure whose data are absent is still present (``value: null``), so a placeholder never breaks
because one region lacks an instrument. The schema, every definition id with its text and base,
is documented in ``docs/figures-json.md`` and available in code as :data:`DEFINITIONS`.
"""

from __future__ import annotations

import copy
import inspect
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..instruments import get_instrument
from . import memo
from ._base import EXTREMES, MIN_N, TOTAL, as_float, protect_pooled
from .administrative import referrals_per_table
from .collection import METHODS, data_collection, method_labels
from .comparisons import round_change
from .executive import (
    bottleneck_items,
    central_organisations,
    collaboration_network,
    collaboration_scales,
    findings_recognised,
    partner_results_rating,
)
from .indicators import contact_duration, reach, white_spots
from .multilevel import CASE_MIX, OUTCOMES, multilevel_comparison
from .personal import (
    INVOLVEMENT_ITEMS,
    case_table_route,
    client_outcomes,
    client_rating,
    contact_frequency_range,
    experience_scale,
    months_in_contact,
    participation_needs,
    peer_expert_contact,
    personal_network,
    professional_involvement,
    social_contacts_change,
    support_gaps,
)

__all__ = ["key_figures", "DEFINITIONS", "Definition", "SCHEMA", "SCHEMA_VERSION"]

SCHEMA = "mss-eval/key-figures"
SCHEMA_VERSION = 1
LEVELS = ("collection", "personal", "executive", "administrative", "indicators")


@dataclass(frozen=True)
class Definition:
    """What a key figure means, what it rests on, and where it comes from."""

    id: str
    text: dict[str, str]
    base: dict[str, str]
    unit: str
    instrument: str | None = None
    items: tuple[str, ...] = ()
    #: Scopes the figure appears in: ``region``, ``round``, ``study``.
    scopes: tuple[str, ...] = ("region", "round", "study")
    interval: bool = False

    @property
    def level(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def name(self) -> str:
        return self.id.split(".", 1)[1]


DEFINITIONS: dict[str, Definition] = {}


def _define(id: str, nl: str, en: str, base_nl: str, base_en: str, unit: str,
            instrument: str | None = None, items: tuple[str, ...] = (),
            scopes: tuple[str, ...] = ("region", "round", "study"), interval: bool = False
            ) -> None:
    DEFINITIONS[id] = Definition(id, {"nl": nl, "en": en}, {"nl": base_nl, "en": base_en}, unit,
                                 instrument, items, scopes, interval)


_CI = get_instrument("client_interview")
_CQ = get_instrument("client_questionnaire")
_PS = get_instrument("partner_survey")
_GOV = get_instrument("governance_profile")
_ALL_CLIENTS = ("alle geïnterviewde cliënten met een antwoord op de vraag",
                "all interviewed clients who answered the question")
_ALL_QUEST = ("alle vragenlijsten over cliënten met een antwoord op de vraag",
              "all questionnaires about clients that answer the question")
_ALL_PARTNERS = ("alle respondenten van de partnerenquête met een antwoord",
                 "all partner-survey respondents who answered")
_REGION_ONLY = ("region",)

# -- collection --------------------------------------------------------------------------------
for _m in METHODS:
    _label_nl, _label_en = method_labels("nl")[_m], method_labels("en")[_m]
    _define(f"collection.{_m}", f"Aantal respondenten: {_label_nl}",
            f"Number of respondents: {_label_en}",
            "rijen van het instrument in de regio('s) van de scope",
            "rows of the instrument in the region(s) of the scope", "count", METHODS[_m][0])
    _define(f"collection.{_m}_response", f"Respons: {_label_nl} (aantal / benaderd)",
            f"Response: {_label_en} (number / approached)",
            "het aantal benaderden uit study.yaml (approached; 0 als niet elke regio van de "
            "scope het noemt)",
            "the number approached in study.yaml (approached; 0 unless every region of the "
            "scope records it)", "share", METHODS[_m][0])

# -- personal ----------------------------------------------------------------------------------
_define("personal.clients", "Aantal geïnterviewde cliënten", "Number of clients interviewed",
        "alle rijen van het cliëntinterview", "all rows of the client interview", "count",
        "client_interview")
_define("personal.rating_mean", "Gemiddeld rapportcijfer voor het MSS (1-10), met 95%-BI",
        "Mean rating of the MSS (1-10), with 95% CI", *_ALL_CLIENTS, "rating", "client_interview",
        ("mss_rating",), interval=True)
_define("personal.rating_sd", "Standaardafwijking van het rapportcijfer",
        "Standard deviation of the rating", *_ALL_CLIENTS, "rating", "client_interview",
        ("mss_rating",))
_define("personal.rating_median", "Mediaan van het rapportcijfer", "Median rating",
        *_ALL_CLIENTS, "rating", "client_interview", ("mss_rating",))
for _item in INVOLVEMENT_ITEMS:
    _lab = _CI.column(_item).label
    _define(f"personal.share_{_item}", f"Aandeel cliënten met 'ja' op: {_lab.nl} (Wilson-BI)",
            f"Share of clients answering yes to: {_lab.en} (Wilson CI)", *_ALL_CLIENTS, "share",
            "client_interview", (_item,), interval=True)
_define("personal.share_peer_expert_contact", "Aandeel cliënten met contact met een "
        "ervaringsdeskundige", "Share of clients in contact with a peer expert", *_ALL_CLIENTS,
        "share", "client_interview", ("peer_expert_contact",), interval=True)
_MORE = _CI.answer_sets["change"].answers[-1]
_define("personal.share_social_contacts_increased",
        f"Aandeel cliënten met '{_MORE.label.nl}' sinds het MSS",
        f"Share of clients with '{_MORE.label.en}' since the MSS", *_ALL_CLIENTS, "share",
        "client_interview", ("social_contacts_change",), interval=True)
_define("personal.experience_mean", "Gemiddelde score op de schaal ervaring met het MSS (1-5)",
        "Mean score on the experience scale (1-5)",
        "cliënten met ten minste het minimum aantal beantwoorde items van de schaal",
        "clients who answered at least the scale's minimum number of items", "score",
        "client_interview", tuple(c.name for c in _CI.scale_columns("experience")),
        interval=True)
_define("personal.experience_alpha", "Cronbachs alfa van de schaal ervaring met het MSS",
        "Cronbach's alpha of the experience scale", "cliënten die alle items beantwoordden",
        "clients who answered every item", "alpha", "client_interview",
        tuple(c.name for c in _CI.scale_columns("experience")), interval=True)
_RINGS = tuple(i.name for i in _CI.items if i.name.startswith("network_"))
_define("personal.informal_share", "Informeel aandeel van het persoonlijk netwerk "
        "((familie en vrienden + informele contacten) / alle personen)",
        "Informal share of the personal network ((close + informal) / all persons)",
        "cliënten die alle vier de ringen invulden", "clients who filled in all four rings",
        "share", "client_interview", _RINGS)
_define("personal.informal_persons", "Gemiddeld aantal personen in de informele ringen",
        "Mean number of persons in the informal rings", "cliënten die alle vier de ringen "
        "invulden", "clients who filled in all four rings", "persons", "client_interview", _RINGS)
_define("personal.professional_persons", "Gemiddeld aantal personen in de professionele ringen",
        "Mean number of persons in the professional rings", "cliënten die alle vier de ringen "
        "invulden", "clients who filled in all four rings", "persons", "client_interview", _RINGS)
_define("personal.top_participation_need", "Meest genoemde participatiewens",
        "Participation need named most often", "cliënten die de vraag beantwoordden",
        "clients who answered the question", "text", "client_interview",
        ("participation_needs",))
_define("personal.domains_needs_outrun_support", "Aantal levensgebieden waarop meer cliënten "
        "steun nodig hebben dan krijgen", "Number of life domains where more clients need "
        "support than receive it", "per levensgebied: cliënten die 'nodig' en 'ontvangen' "
        "beantwoordden; n is de kleinste basis", "per domain: clients who answered 'needed' and "
        "'received'; n is the smallest base", "count", "client_interview",
        ("support_needed", "support_received", "support_enough"))
_define("personal.questionnaires", "Aantal vragenlijsten over cliënten",
        "Number of questionnaires about clients", "alle rijen van de vragenlijst",
        "all rows of the questionnaire", "count", "client_questionnaire")
_define("personal.share_brought_to_case_table", "Aandeel cliënten van wie de vraag aan een "
        "werktafel is ingebracht", "Share of clients whose question was brought to a case table",
        *_ALL_QUEST, "share", "client_questionnaire", ("brought_to_case_table",), interval=True)
_define("personal.months_in_contact_median", "Mediaan aantal maanden in contact",
        "Median months in contact", *_ALL_QUEST, "months", "client_questionnaire",
        ("months_in_contact",))
_define("personal.months_in_contact_max", "Langste contactduur in maanden",
        "Longest contact in months", *_ALL_QUEST, "months", "client_questionnaire",
        ("months_in_contact",))
_define("personal.contact_frequency_lowest", "Laagste contactfrequentie",
        "Lowest contact frequency", *_ALL_QUEST, "text", "client_questionnaire",
        ("contact_frequency",))
_define("personal.contact_frequency_highest", "Hoogste contactfrequentie",
        "Highest contact frequency", *_ALL_QUEST, "text", "client_questionnaire",
        ("contact_frequency",))
for _col in _CQ.columns_of("outcome"):
    _define(f"personal.share_outcome_{_col.option}", f"Aandeel cliënten met resultaat: "
            f"{_col.label.nl.split(': ', 1)[-1]}", f"Share of clients with outcome: "
            f"{_col.label.en.split(': ', 1)[-1]}", *_ALL_QUEST, "share", "client_questionnaire",
            (_col.name,), interval=True)

# -- executive ---------------------------------------------------------------------------------
_define("executive.partners", "Aantal respondenten partnerenquête",
        "Number of partner-survey respondents", "alle rijen van de partnerenquête",
        "all rows of the partner survey", "count", "partner_survey")
_define("executive.results_rating_mean", "Gemiddeld oordeel van partners over de resultaten "
        "(1-10)", "Partners' mean judgement of the results (1-10)", *_ALL_PARTNERS, "rating",
        "partner_survey", ("results_rating",), interval=True)
for _scale, _sc in _PS.scales.items():
    _define(f"executive.collaboration_{_scale}_mean", f"Samenwerking, {_sc.label.nl}: "
            "gemiddelde schaalscore (1-5)", f"Collaboration, {_sc.label.en}: mean scale score "
            "(1-5)", "respondenten met ten minste het minimum aantal items van de schaal",
            "respondents with at least the scale's minimum number of items", "score",
            "partner_survey", tuple(c.name for c in _PS.scale_columns(_scale)), interval=True)
_define("executive.bottleneck_items", "Aantal samenwerkingsitems met een gemiddelde onder 3 "
        "(knelpunten)", "Number of collaboration items with a mean below 3 (bottlenecks)",
        "per item de respondenten die het beantwoordden; n is de kleinste basis",
        "per item the respondents who answered it; n is the smallest base", "count",
        "partner_survey")
_define("executive.network_organisations", "Aantal organisaties in het samenwerkingsnetwerk",
        "Organisations in the collaboration network", "respondenten die ten minste één "
        "samenwerkingsrelatie noemden", "respondents who named at least one tie", "count",
        "partner_ties", ("partner_organisation",), _REGION_ONLY)
_define("executive.network_ties", "Aantal samenwerkingsrelaties tussen organisaties",
        "Ties between organisations", "respondenten die ten minste één samenwerkingsrelatie "
        "noemden", "respondents who named at least one tie", "count", "partner_ties",
        ("partner_organisation",), _REGION_ONLY)
_define("executive.network_density", "Dichtheid van het samenwerkingsnetwerk",
        "Density of the collaboration network", "respondenten die ten minste één "
        "samenwerkingsrelatie noemden", "respondents who named at least one tie", "ratio",
        "partner_ties", ("partner_organisation",), _REGION_ONLY)
_define("executive.network_centralisation", "Degree-centralisatie (Freeman) van het netwerk",
        "Degree centralisation (Freeman) of the network", "respondenten die ten minste één "
        "samenwerkingsrelatie noemden", "respondents who named at least one tie", "ratio",
        "partner_ties", ("partner_organisation",), _REGION_ONLY)
_define("executive.most_central_organisation", "Organisatie met de meeste "
        "samenwerkingsrelaties", "Organisation with the most ties", "respondenten die ten "
        "minste één samenwerkingsrelatie noemden", "respondents who named at least one tie",
        "text", "partner_ties", ("partner_organisation",), _REGION_ONLY)
_define("executive.feedback_attendees", "Aantal aanwezigen bij de terugkoppelingsbijeenkomst",
        "Attendees of the feedback meeting", "alle rijen van de aanwezigheidslijst",
        "all rows of the attendance list", "count", "feedback_meeting")
_define("executive.share_findings_recognised", "Aandeel bevindingen dat de aanwezigen "
        "herkenden", "Share of findings the attendees recognised", "voorgelegde bevindingen "
        "met een vastgelegde herkenning", "findings presented with recognition recorded",
        "share", "feedback_findings", ("recognition",), interval=True)

# -- administrative ----------------------------------------------------------------------------
_GOV_UNITS = {"yes_no": "yes_no", "integer": "count"}
for _name in ("covenant", "covenant_year", "steering_group", "case_tables",
              "performance_agreement", "agreed_referrals_per_table", "privacy_regulation",
              "structural_consultation"):
    _it = _GOV.item(_name)
    _define(f"administrative.{_name}", _it.label.nl, _it.label.en,
            "het bestuurlijk profiel van de regio in de ronde",
            "the region's governance profile in the round",
            "year" if _name == "covenant_year" else _GOV_UNITS[_it.type], "governance_profile",
            (_name,), _REGION_ONLY)
_define("administrative.referrals_per_table", "Toeleidingen naar dagbesteding per werktafel "
        "in het laatste jaar van de registratie", "Referrals to day activities per case table "
        "in the register's latest year", "alle registraties van de regio in dat jaar",
        "all registrations of the region in that year", "ratio", "monitor_register",
        ("date", "outcome"), _REGION_ONLY)
_define("administrative.meets_agreement", "Prestatieafspraak gehaald in het laatste jaar",
        "Performance agreement met in the latest year", "alle registraties van de regio in dat "
        "jaar", "all registrations of the region in that year", "yes_no", "monitor_register",
        ("date", "outcome"), _REGION_ONLY)

# -- indicators --------------------------------------------------------------------------------
_UNIQUE_CLIENTS = ("unieke cliënten in de registratie; over regio's of rondes samen telt een "
                   "cliënt (pseudoniem) één keer, van de eerste tot de laatste registratie",
                   "unique clients in the register; pooled over regions or rounds a client "
                   "(pseudonym) counts once, from the first to the last registration")
_define("indicators.unique_clients", "Unieke cliënten in de registratie",
        "Unique clients in the register", "alle rijen van de registratie",
        "all rows of the register", "count", "monitor_register", ("client_id",))
_define("indicators.referrals", "Aanmeldingen en contacten in de registratie",
        "Referrals and contacts in the register", "alle rijen van de registratie",
        "all rows of the register", "count", "monitor_register")
_define("indicators.reach_per_1000", "Bereik: unieke cliënten per 1.000 van de geschatte "
        "doelgroep (Wilson-BI)", "Reach: unique clients per 1,000 of the estimated target "
        "population (Wilson CI)", "alle rijen van de registratie; doelgroep uit study.yaml",
        "all rows of the register; target population from study.yaml", "per_1000",
        "monitor_register", ("client_id",), interval=True)
_define("indicators.unique_clients_per_week", "Unieke cliënten per week (eerste tot laatste "
        "registratie)", "Unique clients per week (first to last registration)",
        "alle rijen van de registratie", "all rows of the register", "per_week",
        "monitor_register", ("client_id", "date"))
_define("indicators.contact_duration_median", "Mediane contactduur in maanden (eerste tot "
        "laatste registratie)", "Median duration of contact in months (first to last "
        "registration)", *_UNIQUE_CLIENTS,
        "months", "monitor_register", ("client_id", "date"))
_define("indicators.contact_duration_max", "Langste contactduur in maanden in de registratie",
        "Longest duration of contact in months in the register",
        *_UNIQUE_CLIENTS, "months",
        "monitor_register", ("client_id", "date"))
_define("indicators.white_spots", "Aantal witte vlekken: levensgebieden met vraag van "
        "cliënten en geen beschikbaar aanbod op de sociale kaart", "Number of white spots: "
        "life domains with client need and no available service on the social map",
        "cliënten die de vraag per levensgebied beantwoordden; n is de kleinste basis",
        "clients who answered the question per domain; n is the smallest base", "count",
        "social_map", ("life_domains", "wheel_goal", "accessible"), _REGION_ONLY)

# -- change between rounds (study scope) -------------------------------------------------------
_define("changes.rating_mean", "Verandering van het gemiddelde rapportcijfer ten opzichte van "
        "de vorige ronde (95%-BI en p: Welch-t-toets, de rondes als onafhankelijke groepen)",
        "Change of the mean rating since the previous round (95% CI and p: Welch t test, the "
        "rounds as independent groups)",
        "geïnterviewde cliënten met een rapportcijfer in beide rondes; n is de kleinste",
        "interviewed clients with a rating in both rounds; n is the smaller", "rating",
        "client_interview", ("mss_rating",), ("study",), interval=True)
_define("changes.informal_share", "Verandering van het informele aandeel van het netwerk ten "
        "opzichte van de vorige ronde (95%-BI en p: bootstrap over cliënten)", "Change of the "
        "network's informal share since the previous round (95% CI and p: bootstrap over "
        "clients)", "cliënten die alle ringen invulden in beide rondes; n is de "
        "kleinste", "clients who filled in all rings in both rounds; n is the smaller", "share",
        "client_interview", _RINGS, ("study",), interval=True)


# -- turning results into records --------------------------------------------------------------
def _plain(value: Any) -> Any:
    """A JSON-ready scalar: None for missing, int, rounded float, bool, str."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        if math.isnan(value) or math.isinf(value):
            return None
        return round(float(value), 6)
    if isinstance(value, str):
        return value
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    return str(value)


def _record(id: str, value: Any, n: Any, suppressed: bool, ci: tuple | None = None) -> dict:
    d = DEFINITIONS[id]
    suppressed = bool(suppressed)
    rec = {"value": None if suppressed else _plain(value), "n": _plain(n) or 0,
           "suppressed": suppressed, "definition": id, "unit": d.unit}
    if d.interval:
        lo, hi = ci if ci is not None else (None, None)
        rec["ci_low"] = None if suppressed else _plain(lo)
        rec["ci_high"] = None if suppressed else _plain(hi)
    return rec


def _absent(id: str) -> dict:
    """A figure without data in the scope: nothing to show, base 0."""
    if id in _COUNTS or (id.startswith("collection.") and DEFINITIONS[id].unit == "count"):
        return _record(id, 0, 0, False)
    return _record(id, None, 0, True)


#: Figures that count rows: with no data they are 0, not unknown.
_COUNTS = {"personal.clients", "personal.questionnaires", "executive.partners",
           "executive.feedback_attendees", "indicators.unique_clients", "indicators.referrals"}


@dataclass
class _Scope:
    """The tidy tables of one scope and the grouping that makes them one group."""

    tables: Mapping[str, pd.DataFrame]
    by: tuple[str, ...]
    key: tuple
    kind: str                      # region | round | study
    config: Any
    min_n: int
    language: str
    cache: dict = field(default_factory=dict)

    def frame(self, name: str, fn) -> pd.DataFrame | None:
        """The rows of this scope's group in ``fn()``'s result (computed once per name).

        ``fn`` takes the grouping as ``by=`` (defaulting to this scope's); a round's or the
        study's figures are protected against giving away suppressed regions
        (:func:`_protect`).
        """
        frame = self._result(name, fn)
        if frame is None or frame.empty or not self.by:
            return frame
        # results of all groups are shared between the regions of a round: the positions of
        # each group are found once, a group's rows taken when it asks
        at = self._split(name).get(tuple(str(k) for k in self.key))
        return frame.iloc[at] if at is not None else frame.iloc[:0]

    def _split(self, name: str) -> dict[tuple, np.ndarray]:
        """Row positions of each group in result ``name`` (found once per name)."""
        split_key = ("_split", name)
        if split_key not in self.cache:
            self.cache[split_key] = _positions(self.cache[name], self.by)
        return self.cache[split_key]

    def _result(self, name: str, fn) -> pd.DataFrame | None:
        """``fn()``'s result for all groups (computed once per name)."""
        if name not in self.cache:
            self.cache[name] = _protect(fn, self.kind, self.by, self.min_n)
        return self.cache[name]

    def row(self, name: str, fn, **where) -> dict | None:
        """The first result row of this scope's group, filtered by ``where`` (column = value)."""
        frame = self._result(name, fn)
        if frame is None or frame.empty:
            return None
        # a scope asks the same result for many items (variable=..., scale=...): its rows are
        # turned into records once, and filtered as text, as the column's values would print
        records = self._records(name)
        wanted = [(col, str(value)) for col, value in where.items()]
        for record in records:
            if all(not _missing(record[col]) and str(record[col]) == value
                   for col, value in wanted):
                return dict(record)
        return None

    def _records(self, name: str) -> list[dict]:
        """This scope's rows of result ``name`` as records (all groups converted at once)."""
        records_key = ("_records", name)
        if records_key not in self.cache:
            frame = self.cache[name]
            everything = frame.to_dict("records")
            self.cache[records_key] = {
                key: [everything[i] for i in at]
                for key, at in self._split(name).items()} if self.by else {(): everything}
        return self.cache[records_key].get(tuple(str(k) for k in self.key), [])

    def _group_positions(self, frame: pd.DataFrame) -> np.ndarray | None:
        """Where this scope's group is in ``frame``, one of its tables (split once per table;
        the regions of a round share the split)."""
        split_key = ("_rows", id(frame))
        if split_key not in self.cache:
            # the frame is kept with its split, so its id cannot be taken by another frame
            self.cache[split_key] = (frame, _positions(frame, self.by))
        return self.cache[split_key][1].get(tuple(str(k) for k in self.key))

    def rows_of(self, frame: pd.DataFrame) -> pd.DataFrame:
        """The rows of ``frame`` (one of this scope's tables) in this scope's group."""
        if not self.by:
            return frame
        at = self._group_positions(frame)
        return frame.iloc[at] if at is not None else frame.iloc[:0]

    def count(self, frame: pd.DataFrame) -> int:
        """The number of rows of ``frame`` in this scope's group."""
        if not self.by:
            return len(frame)
        at = self._group_positions(frame)
        return 0 if at is None else len(at)


def _positions(frame: pd.DataFrame, by: tuple[str, ...]) -> dict[tuple, np.ndarray]:
    """Row positions of each group of ``frame`` by the columns ``by`` compared as text, in
    the frame's order (rows with a missing key belong to no group)."""
    if frame.empty:
        return {}
    grouped = frame.groupby([frame[c].astype(str) for c in by], sort=False)
    return {k if isinstance(k, tuple) else (k,): v for k, v in grouped.indices.items()}


def _missing(value: Any) -> bool:
    """True for a missing cell (None, NA, NaN, NaT) as a record holds it."""
    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):  # a list-like cell is not missing
        return False


def _protect(fn, kind: str, by: tuple[str, ...], min_n: int) -> pd.DataFrame | None:
    """``fn()``, pooled over regions, with rule 4 of the suppression policy applied.

    A round's figures are compared with the same analysis per region of the round; the study's
    figures with those per round, each round counting the suppressed regions under its total when
    that total is itself suppressed (:func:`mss_eval.analysis._base.protect_pooled`). Region
    figures, and analyses that cannot be grouped otherwise, are returned as they are.
    """
    frame = fn()
    if kind not in ("round", "study") or frame is None or frame.empty \
            or "suppressed" not in frame or "n" not in frame \
            or "by" not in inspect.signature(fn).parameters:
        # region figures, and an analysis without a grouping: nothing pooled to protect
        return frame
    regions = fn(by=[*by, "region"] if kind == "round" else ["round", "region"])
    if kind == "round":
        return protect_pooled(frame, regions, outer=list(by), min_n=min_n)
    rounds = fn(by=["round"])
    safe_rounds = protect_pooled(rounds, regions, outer=["round"], min_n=min_n)
    # what the study's total gives away: the suppressed regions of rounds whose total is hidden
    hidden = safe_rounds["suppressed"].to_numpy(dtype=bool)
    under = _hidden_base(safe_rounds, regions, min_n)
    parts = safe_rounds.assign(n=np.where(hidden, under, 0.0), suppressed=hidden)
    safe = protect_pooled(frame, parts, outer=[], min_n=min_n)
    # and the study's total minus every region shown, in every round: what all suppressed
    # regions of the study hold together (rules 4 and 5 over the study's cells at once)
    return protect_pooled(safe, regions, outer=[], min_n=min_n)


def _hidden_base(pooled: pd.DataFrame, parts: pd.DataFrame, min_n: int) -> np.ndarray:
    """Per row of a round's result: the respondents of its suppressed regions together."""
    from ._base import STATISTIC_KEYS

    keys = ["round"] + [k for k in STATISTIC_KEYS if k in pooled.columns and k in parts.columns]
    hidden = parts["suppressed"].astype(bool)
    base = pd.array(parts["n"], dtype="Float64").fillna(float(min_n - 1) if min_n > 1 else 0.0)
    weights = parts.assign(_w=np.where(hidden, base.to_numpy(dtype=float), 0.0))
    sums = weights.groupby([weights[k].astype(str) for k in keys], dropna=False)["_w"].sum()
    index = pd.MultiIndex.from_frame(pooled[keys].astype(str)) if len(keys) > 1 else \
        pd.Index(pooled[keys[0]].astype(str))
    return sums.reindex(index).fillna(0.0).to_numpy(dtype=float)


def _stat(out: dict, id: str, row: dict | None, column: str, *, ci: tuple[str, str] | None =
          ("ci_low", "ci_high"), n: str = "n") -> None:
    if row is None:
        out[DEFINITIONS[id].name] = _absent(id)
        return
    interval = (row.get(ci[0]), row.get(ci[1])) if ci and DEFINITIONS[id].interval else None
    suppressed = bool(row.get("suppressed", False))
    if column in EXTREMES and not _missing(row.get("extremes_suppressed")):
        # a pooled lowest or highest value over a suppressed region is left out on its own
        suppressed = suppressed or bool(row["extremes_suppressed"])
    out[DEFINITIONS[id].name] = _record(id, row.get(column), row.get(n), suppressed, interval)


def _count(out: dict, id: str, value: int) -> None:
    out[DEFINITIONS[id].name] = _record(id, int(value), int(value), False)


def _collection(s: _Scope) -> dict:
    out: dict = {}
    if "collection" not in s.cache:
        s.cache["collection"] = data_collection(s.tables, config=s.config, language=s.language)
    table = s.cache["collection"]
    if s.kind == "region":
        rows = table[(table["round"] == s.key[0]) & (table["region"] == s.key[1])]
    elif s.kind == "round":
        rows = table[(table["round"] == s.key[0]) & (table["region"] == TOTAL)]
    else:
        rows = table[table["region"] == TOTAL]
    for method in METHODS:
        m = rows[rows["method"] == method]
        n = int(m["n"].sum()) if len(m) else 0
        approached = m["approached"].astype("Float64").sum(min_count=1) if len(m) else pd.NA
        _count(out, f"collection.{method}", n)
        known = bool(len(m)) and pd.notna(approached) and bool(m["approached"].notna().all())
        # a response rests on the people approached: that number is its base, not the respondents
        base = int(approached) if known else 0
        response = n / float(approached) if known and float(approached) > 0 else None
        out[f"{method}_response"] = _record(f"collection.{method}_response", response, base,
                                            False)
    return out


def _personal(s: _Scope) -> dict:
    t, by, kw = s.tables, list(s.by), dict(min_n=s.min_n)
    clients, quest = t["client_interview"], t["client_questionnaire"]
    out: dict = {}
    _count(out, "personal.clients", s.count(clients))
    rating = s.row("rating", lambda by=by: client_rating(clients, by=by, **kw))
    _stat(out, "personal.rating_mean", rating, "mean")
    _stat(out, "personal.rating_sd", rating, "sd")
    _stat(out, "personal.rating_median", rating, "median")
    involvement = lambda by=by: professional_involvement(clients, by=by, **kw)  # noqa: E731
    for item in INVOLVEMENT_ITEMS:
        _stat(out, f"personal.share_{item}", s.row("involvement", involvement, variable=item),
              "share")
    _stat(out, "personal.share_peer_expert_contact",
          s.row("peer", lambda by=by: peer_expert_contact(clients, by=by, **kw)), "share")
    _stat(out, "personal.share_social_contacts_increased",
          s.row("social", lambda by=by: social_contacts_change(clients, by=by, **kw),
                answer=_MORE.key), "share")
    experience = s.row("experience", lambda by=by: experience_scale(clients, by=by, **kw))
    _stat(out, "personal.experience_mean", experience, "mean")
    if experience is not None:
        out["experience_alpha"] = _record(
            "personal.experience_alpha", experience["alpha"], experience["n_alpha"],
            experience["alpha_suppressed"], (experience["alpha_ci_low"],
                                             experience["alpha_ci_high"]))
    else:
        out["experience_alpha"] = _absent("personal.experience_alpha")
    network = s.row("personal_network", lambda by=by: personal_network(clients, by=by, **kw))
    for name in ("informal_share", "informal_persons", "professional_persons"):
        _stat(out, f"personal.{name}", network, name, ci=None)
    needs = s.row("needs", lambda by=by: participation_needs(clients, by=by,
                                                              language=s.language, **kw))
    _stat(out, "personal.top_participation_need", needs, "label", ci=None)
    gaps = s.frame("gaps", lambda by=by: support_gaps(clients, by=by, **kw))
    if gaps is None or gaps.empty:
        out["domains_needs_outrun_support"] = _absent("personal.domains_needs_outrun_support")
    else:
        base = int(gaps["n"].min())
        supp = base < s.min_n or bool(gaps["suppressed"].any())
        value = int(gaps["needs_outrun_support"].fillna(False).sum())
        out["domains_needs_outrun_support"] = _record(
            "personal.domains_needs_outrun_support", value, base, supp)
    _count(out, "personal.questionnaires", s.count(quest))
    _stat(out, "personal.share_brought_to_case_table",
          s.row("case_table", lambda by=by: case_table_route(quest, by=by, **kw)), "share")
    months = s.row("months", lambda by=by: months_in_contact(quest, by=by, **kw))
    _stat(out, "personal.months_in_contact_median", months, "median")
    _stat(out, "personal.months_in_contact_max", months, "max")
    freq = s.row("freq", lambda by=by: contact_frequency_range(quest, by=by,
                                                                language=s.language, **kw))
    _stat(out, "personal.contact_frequency_lowest", freq, "lowest_label", ci=None)
    _stat(out, "personal.contact_frequency_highest", freq, "highest_label", ci=None)
    outcomes = lambda by=by: client_outcomes(quest, by=by, **kw)  # noqa: E731
    for col in _CQ.columns_of("outcome"):
        _stat(out, f"personal.share_outcome_{col.option}",
              s.row("outcomes", outcomes, variable=col.name), "share")
    return out


def _executive(s: _Scope) -> dict:
    t, by, kw = s.tables, list(s.by), dict(min_n=s.min_n)
    partners, ties = t["partner_survey"], t["partner_ties"]
    out: dict = {}
    _count(out, "executive.partners", s.count(partners))
    _stat(out, "executive.results_rating_mean",
          s.row("results", lambda by=by: partner_results_rating(partners, by=by, **kw)), "mean")
    scales = lambda by=by: collaboration_scales(partners, by=by, **kw)  # noqa: E731
    for scale in _PS.scales:
        _stat(out, f"executive.collaboration_{scale}_mean", s.row("scales", scales, scale=scale),
              "mean")
    items = s.frame("bottlenecks", lambda by=by: bottleneck_items(partners, by=by, **kw))
    if items is None or items.empty:
        out["bottleneck_items"] = _absent("executive.bottleneck_items")
    else:
        base = int(items["n"].min())
        out["bottleneck_items"] = _record("executive.bottleneck_items",
                                          int(items["bottleneck"].fillna(False).sum()), base,
                                          base < s.min_n or bool(items["suppressed"].any()))
    if s.kind == "region":
        net = s.row("collaboration_network",
                    lambda by=by: collaboration_network(partners, ties, by=by, **kw))
        _stat(out, "executive.network_organisations", net, "organisations", ci=None)
        _stat(out, "executive.network_ties", net, "ties", ci=None)
        _stat(out, "executive.network_density", net, "density", ci=None)
        _stat(out, "executive.network_centralisation", net, "degree_centralisation", ci=None)
        top = s.row("central", lambda by=by: central_organisations(partners, ties, top=1, by=by,
                                                             language=s.language, **kw))
        _stat(out, "executive.most_central_organisation", top, "organisation", ci=None)
    _count(out, "executive.feedback_attendees", s.count(t["feedback_meeting"]))
    _stat(out, "executive.share_findings_recognised",
          s.row("findings", lambda by=by: findings_recognised(t["feedback_findings"], by=by,
                                                              **kw)),
          "share_recognised")
    return out


def _administrative(s: _Scope) -> dict:
    out: dict = {}
    if s.kind != "region":
        return out
    gov = s.rows_of(s.tables["governance_profile"])
    for id, d in DEFINITIONS.items():
        if d.level != "administrative" or d.instrument != "governance_profile":
            continue
        if gov.empty:
            out[d.name] = _absent(id)
        else:
            out[d.name] = _record(id, gov.iloc[0][d.name], 1, False)
    per_table = s.frame("per_table", lambda: referrals_per_table(
        s.tables["monitor_register"], s.tables["governance_profile"], min_n=s.min_n))
    if per_table is None or per_table.empty:
        out["referrals_per_table"] = _absent("administrative.referrals_per_table")
        out["meets_agreement"] = _absent("administrative.meets_agreement")
    else:
        last = per_table.sort_values("year").iloc[-1].to_dict()
        _stat(out, "administrative.referrals_per_table", last, "per_table", ci=None)
        _stat(out, "administrative.meets_agreement", last, "meets_agreement", ci=None)
    return out


def _indicators(s: _Scope) -> dict:
    t, by, kw = s.tables, list(s.by), dict(min_n=s.min_n)
    register = t["monitor_register"]
    out: dict = {}
    rows = s.rows_of(register)
    _count(out, "indicators.unique_clients", rows["client_id"].nunique())
    _count(out, "indicators.referrals", len(rows))
    r = s.row("reach", lambda by=by: reach(register, s.config, by=by, **kw))
    _stat(out, "indicators.reach_per_1000", r, "per_1000")
    _stat(out, "indicators.unique_clients_per_week", r, "per_week", ci=None)
    dur = s.row("duration", lambda by=by: contact_duration(register, by=by, **kw))
    _stat(out, "indicators.contact_duration_median", dur, "median", ci=None)
    _stat(out, "indicators.contact_duration_max", dur, "max", ci=None)
    if s.kind == "region":
        spots = s.frame("white", lambda by=by: white_spots(t["client_interview"],
                                                           t["social_map"],
                                                     by=by, **kw))
        if spots is None or spots.empty or not s.count(t["social_map"]):
            out["white_spots"] = _absent("indicators.white_spots")
        else:
            base = int(spots["n"].min())
            out["white_spots"] = _record("indicators.white_spots",
                                         int(spots["white_spot"].fillna(False).sum()), base,
                                         base < s.min_n)
    return out


def _levels(s: _Scope) -> dict:
    return {"collection": _collection(s), "personal": _personal(s), "executive": _executive(s),
            "administrative": _administrative(s), "indicators": _indicators(s)}


def _subset(tables: Mapping[str, pd.DataFrame], round: str | None = None,
            region: str | None = None) -> dict[str, pd.DataFrame]:
    out = {}
    for name, frame in tables.items():
        mask = np.ones(len(frame), dtype=bool)
        if round is not None:
            mask &= (frame["round"].astype(str) == round).to_numpy()
        if region is not None:
            mask &= (frame["region"].astype(str) == region).to_numpy()
        out[name] = frame[mask]
    return out


#: Bootstrap replicates of a change of the informal share (fixed seed: the same data give the
#: same interval).
CHANGE_BOOTSTRAP = 2000
CHANGE_SEED = 20100201


def _rating_change_test(before: np.ndarray, after: np.ndarray) -> tuple[Any, Any, Any]:
    """(ci_low, ci_high, p) of ``mean(after) - mean(before)``: Welch's t test and interval."""
    from scipy import stats

    if len(before) < 2 or len(after) < 2:
        return None, None, None
    va, vb = before.var(ddof=1) / len(before), after.var(ddof=1) / len(after)
    diff = after.mean() - before.mean()
    se = math.sqrt(va + vb)
    if se == 0:
        return diff, diff, (1.0 if diff == 0 else 0.0)
    df = (va + vb) ** 2 / (va ** 2 / (len(before) - 1) + vb ** 2 / (len(after) - 1))
    t = stats.t.ppf(0.975, df)
    p = float(2 * stats.t.sf(abs(diff / se), df))
    return diff - t * se, diff + t * se, p


def _share_change_test(before: np.ndarray, after: np.ndarray, seed: int) -> tuple[Any, Any, Any]:
    """(ci_low, ci_high, p) of the change of the informal share (ratio of summed persons):
    percentile bootstrap over clients within each round; p two-sided from the bootstrap."""
    if len(before) < 2 or len(after) < 2:
        return None, None, None
    rng = np.random.default_rng(seed)

    def ratios(values: np.ndarray) -> np.ndarray:
        idx = rng.integers(0, len(values), size=(CHANGE_BOOTSTRAP, len(values)))
        informal, total = values[idx, 0].sum(axis=1), values[idx, 1].sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(total > 0, informal / total, np.nan)

    diffs = ratios(after) - ratios(before)
    diffs = diffs[~np.isnan(diffs)]
    if diffs.size == 0:
        return None, None, None
    lo, hi = np.percentile(diffs, [2.5, 97.5])
    p = min(1.0, 2 * min(float((diffs <= 0).mean()), float((diffs >= 0).mean())))
    return float(lo), float(hi), p


def _changes(tables: Mapping[str, pd.DataFrame], config, min_n: int,
             region: str | None = None, round_to: str | None = None) -> dict:
    """``changes.<region>.<from>_<to>``: each figure of a region in one round against the next
    round it took part in, with a 95% interval and a test (``p``, ``test``); suppressed (no
    value, interval or p) when either round's figure is. ``region``/``round_to`` keep one
    region's changes into one round (a region report)."""
    from .personal import INFORMAL_RINGS, RINGS, _network_values

    clients = tables["client_interview"]
    order = [r.id for r in config.rounds]
    rating = round_change(client_rating(clients, min_n=min_n), "mean", rounds=order)
    network = round_change(personal_network(clients, min_n=min_n), "informal_share",
                           rounds=order)
    rounds_of = clients["round"].astype(str).to_numpy()
    regions_of = clients["region"].astype(str).to_numpy()
    ratings = as_float(clients["mss_rating"]) if "mss_rating" in clients else None
    values, complete = _network_values(clients)
    informal = np.array([r in INFORMAL_RINGS for r in RINGS])
    network_values = np.column_stack([values[:, informal].sum(axis=1), values.sum(axis=1)])

    def rows_of(reg: str, rnd: str) -> np.ndarray:
        return (regions_of == reg) & (rounds_of == rnd)

    out: dict = {}
    for frame, id in ((rating, "changes.rating_mean"), (network, "changes.informal_share")):
        for i, r in enumerate(frame.itertuples(index=False)):
            reg = str(r.region)
            if (region is not None and reg != region) or \
                    (round_to is not None and str(r.round_to) != round_to):
                continue
            key = f"{r.round_from}_{r.round_to}"
            before, after = rows_of(reg, str(r.round_from)), rows_of(reg, str(r.round_to))
            if id == "changes.rating_mean" and ratings is not None:
                a, b = ratings[before], ratings[after]
                lo, hi, p = _rating_change_test(a[~np.isnan(a)], b[~np.isnan(b)])
                test = "welch_t"
            else:
                seed = CHANGE_SEED + sum(map(ord, f"{reg}|{key}"))
                lo, hi, p = _share_change_test(network_values[before & complete],
                                               network_values[after & complete], seed)
                test = "bootstrap"
            record = _record(id, r.change, r.n, r.suppressed, ci=(lo, hi))
            record["p"] = None if record["suppressed"] else _plain(p)
            record["test"] = test
            entry = out.setdefault(reg, {}).setdefault(key, {})
            entry[DEFINITIONS[id].name] = record
    return out


def _comparison(tables: Mapping[str, pd.DataFrame], config, round: str, min_n: int) -> dict:
    """``comparison.<outcome>.multilevel`` of one round: the regions compared with the
    multilevel model (:func:`mss_eval.analysis.multilevel.multilevel_comparison`).

    Per outcome of :data:`~mss_eval.analysis.multilevel.OUTCOMES` (named as its key figure):
    the model's ``icc``, ``tau2``, ``sigma2``, ``overall``, the clients a region needs for a
    reliability of 0.8 and 0.9, and per region of the round (study.yaml order) its
    ``estimate``, ``ci_low``, ``ci_high``, ``reliability`` and ``group``. A region below the
    minimum has only ``n`` and ``suppressed: true``; without two regions at the minimum the
    model's figures are null and ``suppressed`` is true.
    """
    clients = tables["client_interview"]
    covariates = tuple(getattr(config.settings, "case_mix", CASE_MIX))
    regions = list(config.round(round).regions)
    out: dict = {}
    for name, (column, kind) in OUTCOMES.items():
        result = multilevel_comparison(clients, column, kind=kind, by=("round",),
                                       covariates=covariates, min_n=min_n)
        rows = {str(r["region"]): r for r in result.to_dict("records")}
        fitted = [r for r in rows.values() if not r["suppressed"] and not _missing(r["tau2"])]
        model = fitted[0] if fitted else None
        block: dict[str, Any] = {
            key: (None if model is None else _plain(model[key]))
            for key in ("icc", "tau2", "sigma2", "overall", "n_for_reliability_0_8",
                        "n_for_reliability_0_9")}
        block.update({"n": _plain(model["n_model"]) if model else
                      int(sum(int(r["n"]) for r in rows.values() if not r["suppressed"])),
                      "regions_in_model": _plain(model["n_regions"]) if model else len(fitted),
                      "method": None if model is None else str(model["method"]),
                      "suppressed": model is None, "regions": {}})
        for region in regions:
            r = rows.get(region)
            hidden = r is None or bool(r["suppressed"]) or model is None
            entry = {"n": 0 if r is None else _plain(r["n"]), "suppressed": hidden}
            for key in ("estimate", "ci_low", "ci_high", "reliability", "group"):
                entry[key] = None if hidden or r is None else _plain(r[key])
            block["regions"][region] = entry
        out[name] = {"multilevel": block}
    return out


def key_figures(study, round: str | None = None, region: str | None = None, *,
                language: str | None = None, definitions: bool = True,
                include_round: bool = True) -> dict:
    """The key figures of a region, a round or the whole study, nested and JSON-serialisable.

    Parameters
    ----------
    study : Study
        A loaded study (``mss_eval.load_study``): uses ``study.config``, ``study.settings``
        (``min_respondents``, ``language``) and ``study.tables``.
    round : str, optional
        A round id: the round's figures (pooled over its regions) and each of its regions'.
    region : str, optional
        With ``round``: that region's figures in that round, beside the round's. Without
        ``round``: the region's only round (an error when it took part in several).
    language : str, optional
        Language of text values (labels) and definitions; the study's by default.
    definitions : bool
        Include the ``definitions`` of every figure id (text, base, unit) in the study language.
    include_round : bool
        For a region: also the round's pooled figures (``round``), for comparison in the region
        report. Leave out (``False``) to compute only the region's own figures, which is faster.

    Returns
    -------
    dict
        ``meta`` plus, by scope: region ``{"region": levels, "round": levels}``; round
        ``{"round": levels, "regions": {id: levels}}``; study ``{"study": levels, "rounds":
        {round: {"round": levels, "regions": {...}}}, "changes": {region: {"<r1>_<r2>":
        {...}}}}``. ``levels`` is ``{"collection": {...}, "personal": {...}, "executive":
        {...}, "administrative": {...}, "indicators": {...}}`` of figure records (module notes).
        Deterministic: the same study gives the same dictionary (keys in a fixed order).

    Examples
    --------
    >>> import mss_eval
    >>> study = mss_eval.load_study("data_templates/example_study")  # doctest: +SKIP
    >>> figures = key_figures(study, "2010-1", "den_haag")  # doctest: +SKIP
    >>> figures["region"]["personal"]["rating_mean"]["value"]  # doctest: +SKIP
    8.0
    """
    config = study.config
    settings = study.settings
    min_n = int(getattr(settings, "min_respondents", MIN_N))
    language = language or getattr(settings, "language", "nl")
    tables = study.tables
    if region is not None and round is None:
        rounds = [r.id for r in config.rounds if region in r.regions]
        if len(rounds) != 1:
            raise ValueError(f"region {region!r} is in {len(rounds)} rounds; name the round")
        round = rounds[0]
    if round is not None:
        config.round(round)  # KeyError for an unknown round
    if region is not None and region not in config.round(round).regions:
        raise KeyError(f"region {region!r} is not part of round {round!r}")
    kind = "region" if region is not None else "round" if round is not None else "study"
    meta = {"schema": SCHEMA, "schema_version": SCHEMA_VERSION, "study": config.name,
            "synthetic": bool(config.synthetic), "scope": kind, "round": round,
            "region": region, "min_respondents": min_n, "language": language}
    out: dict[str, Any] = {"meta": meta}

    def scope(tabs, by, key, k):
        return _levels(_Scope(tabs, by, key, k, config, min_n, language))

    def memo_key(part, tabs, round_id):
        return memo.key_of(study, f"key_figures.{part}", round_id, min_n, language,
                           tuple((name, len(frame)) for name, frame in sorted(tabs.items())))

    def remembered(part, tabs, round_id, compute):
        # the same for every report of the round: computed once per process. A round's own
        # figures compare the round with each of its regions (see _protect); its regions'
        # figures are computed in one pass, so the region reports of a round rendered one
        # after the other in a warm kernel share that pass
        return memo.remembered(memo_key(part, tabs, round_id), compute)

    def round_scope(tabs, round_id):
        return copy.deepcopy(remembered(
            "round", tabs, round_id, lambda: scope(tabs, ("round",), (round_id,), "round")))

    def regions_of(tabs, round_id, only=None):
        everyone = remembered("regions", tabs, round_id,
                              lambda: _regions_of(tabs, config, round_id, min_n, language))
        return copy.deepcopy(everyone[only] if only is not None else everyone)

    def comparison_of(tabs, round_id):
        # the case mix is a setting of study.yaml, not of the data: part of the key
        part = "comparison:" + ",".join(getattr(settings, "case_mix", CASE_MIX))
        return copy.deepcopy(remembered(
            part, tabs, round_id, lambda: _comparison(tabs, config, round_id, min_n)))

    if kind == "region":
        round_tables = _subset(tables, round)
        # one region report alone computes its region only; from the second region of the
        # round in this process on, all regions of the round are computed in one pass
        key = memo_key("regions", round_tables, round)
        if memo.has(key) or memo.seen_before(key):
            out["region"] = regions_of(round_tables, round, only=region)
        else:
            out["region"] = scope(_subset(round_tables, round, region), ("round", "region"),
                                  (round, region), "region")
        if include_round:
            out["round"] = round_scope(round_tables, round)
        earlier = [r.id for r in config.rounds if region in r.regions]
        if earlier.index(round) > 0:
            # a region that took part before: its change since its previous round
            out["changes"] = _changes(tables, config, min_n, region=region, round_to=round)
    elif kind == "round":
        round_tables = _subset(tables, round)
        out["round"] = round_scope(round_tables, round)
        out["regions"] = regions_of(round_tables, round)
        out["comparison"] = comparison_of(round_tables, round)
    else:
        out["study"] = scope(tables, (), (), "study")
        out["rounds"] = {}
        for r in config.rounds:
            rt = _subset(tables, r.id)
            out["rounds"][r.id] = {"round": round_scope(rt, r.id), "regions": regions_of(rt, r.id),
                                   "comparison": comparison_of(rt, r.id)}
        out["changes"] = _changes(tables, config, min_n)
    if definitions:
        out["definitions"] = {
            id: {"text": d.text[language], "base": d.base[language], "unit": d.unit,
                 "instrument": d.instrument, "items": list(d.items)}
            for id, d in DEFINITIONS.items()
            if (kind == "study" or d.level != "changes"
                or (kind == "region" and "changes" in out))}
    return out


def _regions_of(round_tables, config, round: str, min_n: int, language: str) -> dict:
    """Every region of a round, computed in one pass over the round's tables."""
    shared: dict = {}
    out = {}
    for region in config.round(round).regions:
        s = _Scope(round_tables, ("round", "region"), (round, region), "region", config, min_n,
                   language, cache=shared)
        out[region] = _levels(s)
    return out
