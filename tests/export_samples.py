"""Realistic survey-tool exports of one set of client interviews, written by hand for the tests.

The same eight interviews are written as the workbench's template (instrument column names and
codes) and as a region would export them from SPSS (own variable names V1..V63 with variable and
value labels, its own codes), Qualtrics (three header rows, metadata columns, choice texts),
LimeSurvey (question codes, ``A1`` answer codes, ``Y`` ticks, a ``.lss`` structure) and Castor EDC
(semicolon CSV, ``dd-mm-yyyy`` dates, Castor's missing codes, a field list and an option list).
A mapped export must load into the same tidy data as the template.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from mss_eval.instruments import get_instrument

INSTRUMENT = get_instrument("client_interview")
OPTIONS = ["company", "day_structure", "paid_work", "meaning", "relationships"]

# One dict per interview, in the instrument's codes (the template's way). 98/99 are missing codes.
ANSWERS = [
    dict(respondent_id="HV-001", interview_date="2010-09-14", gender=2, age_band=3,
         living_situation=1, education=2, ever_treated_mhc=1, contact_professional=1,
         has_spv=1, day_activities=1, paid_work=0, mss_rating=8, exp_heard=4, exp_time=5,
         exp_staff_change=2, exp_wishes=4, needs=["company", "day_structure"], network_close=3,
         network_informal=1, open_support="De inloop op dinsdag."),
    dict(respondent_id="HV-002", interview_date="2010-09-15", gender=1, age_band=2,
         living_situation=3, education=3, ever_treated_mhc=1, contact_professional=1,
         has_spv=0, day_activities=0, paid_work=0, mss_rating=7, exp_heard=3, exp_time=4,
         exp_staff_change=4, exp_wishes=3, needs=["paid_work"], network_close=2,
         network_informal=0, open_support="Dat iemand meedenkt over werk."),
    dict(respondent_id="HV-003", interview_date="2010-09-21", gender=2, age_band=4,
         living_situation=2, education=1, ever_treated_mhc=0, contact_professional=1,
         has_spv=1, day_activities=1, paid_work=0, mss_rating=9, exp_heard=5, exp_time=5,
         exp_staff_change=1, exp_wishes=5, needs=["company", "meaning"], network_close=5,
         network_informal=2, open_support=None),
    dict(respondent_id="HV-004", interview_date="2010-09-22", gender=3, age_band=1,
         living_situation=4, education=99, ever_treated_mhc=1, contact_professional=0,
         has_spv=0, day_activities=0, paid_work=1, mss_rating=6, exp_heard=2, exp_time=98,
         exp_staff_change=5, exp_wishes=2, needs=[], network_close=1, network_informal=0,
         open_support="Minder wisselingen."),
    dict(respondent_id="HV-005", interview_date="2010-10-04", gender=1, age_band=3,
         living_situation=1, education=4, ever_treated_mhc=1, contact_professional=1,
         has_spv=1, day_activities=1, paid_work=0, mss_rating=8, exp_heard=4, exp_time=4,
         exp_staff_change=3, exp_wishes=4, needs=["company", "relationships"], network_close=4,
         network_informal=3, open_support="Het buurthuis."),
    dict(respondent_id="HV-006", interview_date="2010-10-05", gender=2, age_band=2,
         living_situation=3, education=2, ever_treated_mhc=1, contact_professional=1,
         has_spv=0, day_activities=1, paid_work=0, mss_rating=7, exp_heard=4, exp_time=3,
         exp_staff_change=2, exp_wishes=4, needs=["day_structure"], network_close=2,
         network_informal=1, open_support=None),
    dict(respondent_id="HV-007", interview_date="2010-10-12", gender=1, age_band=4,
         living_situation=2, education=3, ever_treated_mhc=0, contact_professional=0,
         has_spv=0, day_activities=0, paid_work=0, mss_rating=99, exp_heard=3, exp_time=3,
         exp_staff_change=3, exp_wishes=3, needs=["meaning"], network_close=6,
         network_informal=4, open_support="Weet ik niet goed."),
    dict(respondent_id="HV-008", interview_date="2010-10-13", gender=2, age_band=1,
         living_situation=1, education=98, ever_treated_mhc=1, contact_professional=1,
         has_spv=1, day_activities=1, paid_work=1, mss_rating=9, exp_heard=5, exp_time=4,
         exp_staff_change=1, exp_wishes=5, needs=["company", "paid_work", "day_structure"],
         network_close=3, network_informal=2, open_support="Samen koken."),
]
#: The items asked in the short questionnaire of the web surveys (and the template).
ITEMS = ["respondent_id", "interview_date", "gender", "age_band", "living_situation",
         "education", "ever_treated_mhc", "contact_professional", "has_spv", "day_activities",
         "paid_work", "mss_rating", "exp_heard", "exp_time", "exp_staff_change", "exp_wishes",
         "network_close", "network_informal", "open_support"]


def template_rows(ticks_only: bool = False) -> list[dict]:
    """The answers as the template holds them: instrument column names and codes.

    ``ticks_only``: as a web survey records a multiple-choice question, where a respondent who
    ticked nothing leaves every option blank (the template then holds blanks too)."""
    out = []
    for a in ANSWERS:
        row = {k: ("" if a[k] is None else a[k]) for k in ITEMS}
        for key in OPTIONS:
            row[f"participation_needs_{key}"] = (1 if key in a["needs"] else
                                                 "" if ticks_only and not a["needs"] else 0)
        out.append(row)
    return out


def write_template(path: Path) -> Path:
    rows = template_rows()
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


def _label(item: str, key_or_code) -> str:
    column = INSTRUMENT.column(item)
    if isinstance(key_or_code, int) and key_or_code in column.missing:
        return column.missing[key_or_code].nl
    for a in column.answers.answers:
        if a.code == key_or_code:
            return a.label.nl
    raise KeyError((item, key_or_code))


# -- SPSS: own variable names V1..V63, labels, own codes for gender and yes/no ----------------
SPSS_LABELS = {
    "respondent_id": "Respondentnummer", "interview_date": "Datum van het interview",
    "interview_location": "Plaats interview", "route": "Weg naar het MSS",
    "referred_by": "Verwezen door", "age_band": "Leeftijd in klassen", "gender": "Geslacht",
    "living_situation": "Woonsituatie", "education": "Hoogst voltooide opleiding",
    "ever_treated_mhc": "Ooit behandeld in de GGZ", "contact_professional":
    "Contact met hulpverlener", "has_spv": "Heeft SPV", "has_housing_support":
    "Heeft woonbegeleider", "has_trajectory_counsellor": "Heeft trajectbegeleider",
    "has_other_professional": "Heeft andere hulpverlener", "day_activities":
    "Deelname georganiseerde dagbesteding", "paid_work": "Heeft betaald werk",
    "volunteering": "Doet vrijwilligerswerk", "in_education": "Volgt opleiding",
    "mss_rating": "Rapportcijfer MSS", "exp_heard": "Ik voel me gehoord en begrepen",
    "exp_time": "Medewerkers nemen tijd voor mij", "exp_staff_change":
    "Steeds andere medewerkers", "exp_wishes": "Steun sluit aan bij mijn wensen",
    "exp_reachable": "MSS makkelijk bereikbaar", "exp_know_where": "Weet waar ik terecht kan",
    "social_contacts_change": "Verandering sociale contacten sinds MSS",
    "peer_expert_contact": "Contact ervaringsdeskundige",
    "network_close": "Netwerk familie en vrienden (aantal)",
    "network_informal": "Netwerk informele contacten (aantal)",
    "network_general_services": "Netwerk algemene voorzieningen (aantal)",
    "network_specialised_care": "Netwerk specialistische zorg (aantal)",
    "open_support": "Wat helpt u het meest (open)", "open_improvement": "Wat kan beter (open)",
}
#: SPSS's codes for gender (0/1/2) and yes/no (1 = ja, 2 = nee) differ from the instrument's.
SPSS_GENDER = {1: 0, 2: 1, 3: 2}
SPSS_YES_NO = {1: 1, 0: 2}


def _spss_label(column) -> str:
    if column.name in SPSS_LABELS:
        return SPSS_LABELS[column.name]
    if column.item == "participation_needs":
        option = next(a for a in INSTRUMENT.answer_sets["participation_need"].answers
                      if a.key == column.option)
        return f"Wens: {option.label.nl}"
    item = INSTRUMENT.item(column.item)
    domain = next(a for a in INSTRUMENT.answer_sets["life_domain"].answers
                  if a.key == column.option)
    word = {"support_needed": "nodig", "support_received": "ontvangen",
            "support_enough": "voldoende"}[item.name]
    return f"Steun {word} bij {domain.label.nl}"


def write_spss(path: Path) -> Path:
    import pandas as pd
    import pyreadstat

    columns = INSTRUMENT.columns
    names = {c.name: f"V{i + 1}" for i, c in enumerate(columns)}
    data: dict[str, list] = {names[c.name]: [] for c in columns}
    for a in ANSWERS:
        for c in columns:
            if c.item == "participation_needs":
                value = 1.0 if c.option in a["needs"] else 0.0
            elif c.name in a:
                value = a[c.name]
                if c.name == "gender":
                    value = SPSS_GENDER.get(value, value)
                elif c.type == "yes_no" and value in (0, 1):
                    value = SPSS_YES_NO[value]
            else:
                value = None
            data[names[c.name]].append(value)
    frame = pd.DataFrame(data)
    frame[names["interview_date"]] = pd.to_datetime(frame[names["interview_date"]])
    for c in columns:
        if c.type in ("text", "identifier"):
            frame[names[c.name]] = frame[names[c.name]].astype(object)
        elif c.type != "date":
            frame[names[c.name]] = frame[names[c.name]].astype(float)
    value_labels, missing = {}, {}
    for c in columns:
        v = names[c.name]
        if c.name == "gender":
            value_labels[v] = {0: "man", 1: "vrouw", 2: "anders", 99: "geen antwoord"}
        elif c.item == "participation_needs":
            value_labels[v] = {0: "niet genoemd", 1: "genoemd"}
        elif c.type == "yes_no":
            value_labels[v] = {1: "ja", 2: "nee", 98: "weet niet", 99: "geen antwoord"}
        elif c.type == "categorical":
            value_labels[v] = {a.code: a.label.nl for a in c.answers.answers}
            value_labels[v].update({98: "weet niet", 99: "geen antwoord"})
        if c.type in ("categorical", "yes_no", "integer") and c.item != "participation_needs":
            missing[v] = [98, 99]
    pyreadstat.write_sav(frame, str(path), column_labels=[_spss_label(c) for c in columns],
                         variable_value_labels=value_labels, missing_ranges=missing)
    return path


# -- Qualtrics: three header rows, metadata, choice texts -------------------------------------
QUALTRICS_QUESTIONS = [
    ("Q1", "respondent_id", "Respondentnummer (van de interviewer)"),
    ("Q2", "interview_date", "Datum interview"),
    ("Q3", "gender", "Wat is uw geslacht?"),
    ("Q4", "age_band", "Leeftijdsgroep"),
    ("Q5", "living_situation", "Hoe woont u? - Woonsituatie"),
    ("Q6", "education", "Opleiding"),
    ("Q7_1", "ever_treated_mhc", "Hulp - Ooit behandeld in de ggz"),
    ("Q7_2", "contact_professional", "Hulp - Contact met een hulpverlener"),
    ("Q7_3", "has_spv", "Hulp - Heeft een SPV"),
    ("Q8", "day_activities", "Neemt u deel aan georganiseerde dagbesteding?"),
    ("Q9", "paid_work", "Heeft u betaald werk?"),
    ("Q10", "mss_rating", "Welk rapportcijfer geeft u het MSS?"),
    ("Q11_1", "exp_heard", "Ervaring - Ik voel me gehoord en begrepen"),
    ("Q11_2", "exp_time", "Ervaring - Medewerkers nemen de tijd voor me"),
    ("Q11_3", "exp_staff_change", "Ervaring - Ik krijg steeds met andere medewerkers te maken"),
    ("Q11_4", "exp_wishes", "Ervaring - De steun sluit aan bij mijn wensen"),
]
QUALTRICS_NEEDS = [(f"Q12_{i + 1}", key) for i, key in enumerate(OPTIONS)]
QUALTRICS_TAIL = [
    ("Q13_1", "network_close", "Netwerk - Familie en vrienden"),
    ("Q13_2", "network_informal", "Netwerk - Informele contacten (buren, collega's)"),
    ("Q14", "open_support", "Wat helpt u het meest?"),
]
QUALTRICS_META = ["StartDate", "EndDate", "Status", "IPAddress", "Progress",
                  "Duration (in seconds)", "Finished", "RecordedDate", "ResponseId",
                  "RecipientLastName", "RecipientFirstName", "RecipientEmail",
                  "ExternalReference", "LocationLatitude", "LocationLongitude",
                  "DistributionChannel", "UserLanguage"]


def _qualtrics_value(item: str, value) -> str:
    column = INSTRUMENT.column(item)
    if value is None:
        return ""
    if column.type == "yes_no":
        return {1: "Ja", 0: "Nee"}.get(value) or _label(item, value).capitalize()
    if column.type == "categorical":
        return _label(item, value).capitalize()
    if column.type == "date":
        return value
    return str(value)


def write_qualtrics(path: Path) -> Path:
    option_labels = {a.key: a.label.nl for a in INSTRUMENT.answer_sets["participation_need"]
                     .answers}
    names = QUALTRICS_META + [q for q, _, _ in QUALTRICS_QUESTIONS] + \
        [q for q, _ in QUALTRICS_NEEDS] + [q for q, _, _ in QUALTRICS_TAIL]
    texts = ["Start Date", "End Date", "Response Type", "IP Address", "Progress",
             "Duration (in seconds)", "Finished", "Recorded Date", "Response ID",
             "Recipient Last Name", "Recipient First Name", "Recipient Email",
             "External Data Reference", "Location Latitude", "Location Longitude",
             "Distribution Channel", "User Language"]
    texts += [t for _, _, t in QUALTRICS_QUESTIONS]
    texts += [f"Waar heeft u behoefte aan? (meer antwoorden mogelijk) - "
              f"{option_labels[k].capitalize()}" for _, k in QUALTRICS_NEEDS]
    texts += [t for _, _, t in QUALTRICS_TAIL]
    ids = [{"ImportId": n[0].lower() + n[1:].replace(" ", "")} for n in QUALTRICS_META]
    ids = [json.dumps(i) for i in ids]
    qid = {q: "QID" + q[1:].replace("_", "_") for q in names[len(QUALTRICS_META):]}
    ids += [json.dumps({"ImportId": qid[q]}) for q in names[len(QUALTRICS_META):]]
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(names)
        w.writerow(texts)
        w.writerow(ids)
        for i, a in enumerate(ANSWERS):
            meta = [f"{a['interview_date']} 10:{i:02d}:00", f"{a['interview_date']} 10:4{i}:00",
                    "IP Address", f"145.12.{i}.{20 + i}", "100", str(1500 + i * 37), "True",
                    f"{a['interview_date']} 10:4{i}:01", f"R_2kPq8ZrTv{i}XwLm3B",
                    "", "", "", "", f"52.22{i}1", f"5.17{i}4", "anonymous", "NL"]
            row = meta + [_qualtrics_value(item, a[item]) for _, item, _ in QUALTRICS_QUESTIONS]
            row += [option_labels[k].capitalize() if k in a["needs"] else ""
                    for _, k in QUALTRICS_NEEDS]
            row += [_qualtrics_value(item, a[item]) for _, item, _ in QUALTRICS_TAIL]
            w.writerow(row)
    return path


# -- LimeSurvey: codes, A1 answers, Y ticks, .lss structure ------------------------------------
LIME = [  # (code, item, question text)
    ("G01Q01", "respondent_id", "Respondentnummer"),
    ("G01Q02", "interview_date", "Datum van het interview"),
    ("G02Q01", "gender", "Geslacht"),
    ("G02Q02", "age_band", "Leeftijd"),
    ("G02Q03", "living_situation", "Woonsituatie"),
    ("G02Q04", "education", "Opleiding"),
    ("G03Q01", "ever_treated_mhc", "Bent u ooit behandeld in de ggz?"),
    ("G03Q02", "contact_professional", "Heeft u contact met een hulpverlener?"),
    ("G03Q03", "has_spv", "Heeft u een SPV?"),
    ("G03Q04", "day_activities", "Neemt u deel aan georganiseerde dagbesteding?"),
    ("G03Q05", "paid_work", "Heeft u betaald werk?"),
    ("G04Q01", "mss_rating", "Rapportcijfer voor het MSS"),
]
LIME_EXP = [("SQ001", "exp_heard", "Ik voel me gehoord en begrepen"),
            ("SQ002", "exp_time", "Medewerkers nemen de tijd voor me"),
            ("SQ003", "exp_staff_change", "Ik krijg steeds met andere medewerkers te maken"),
            ("SQ004", "exp_wishes", "De steun sluit aan bij mijn wensen")]
LIME_TAIL = [("G06Q01", "network_close", "Aantal familieleden en vrienden in uw netwerk"),
             ("G06Q02", "network_informal", "Aantal informele contacten (buren, collega's)"),
             ("G07Q01", "open_support", "Wat helpt u het meest?")]


def _lime_value(item: str, value) -> str:
    column = INSTRUMENT.column(item)
    if value is None:
        return ""
    if column.type == "yes_no":
        return {1: "Y", 0: "N"}.get(value, "")  # LimeSurvey's yes/no question: Y/N, blank
    if column.type == "categorical":
        if value in column.missing:
            return ""  # LimeSurvey writes nothing for "no answer"
        return f"A{value}"
    return str(value)


def lime_template_rows() -> list[dict]:
    """What the LimeSurvey export holds, as a template: missing codes are blank there."""
    rows = template_rows(ticks_only=True)
    for row in rows:
        for item in ("education", "exp_time"):
            if row[item] in (98, 99):
                row[item] = ""
    return rows


def write_limesurvey(folder: Path) -> tuple[Path, Path]:
    header = ["id", "submitdate", "lastpage", "startlanguage", "seed", "startdate",
              "datestamp"]
    header += [q for q, _, _ in LIME]
    header += [f"G05Q01[{s}]" for s, _, _ in LIME_EXP]
    header += [f"G05Q02[SQ00{i + 1}]" for i in range(len(OPTIONS))]
    header += [q for q, _, _ in LIME_TAIL]
    path = folder / "results-survey482915.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(header)
        for i, a in enumerate(ANSWERS):
            stamp = f"{a['interview_date']} 11:{i:02d}:12"
            row = [str(i + 1), stamp, "7", "nl", str(1832467201 + 7919 * i), stamp, stamp]
            row += [_lime_value(item, a[item]) for _, item, _ in LIME]
            row += [_lime_value(item, a[item]) for _, item, _ in LIME_EXP]
            row += ["Y" if k in a["needs"] else "" for k in OPTIONS]
            row += [_lime_value(item, a[item]) for _, item, _ in LIME_TAIL]
            w.writerow(row)
    return path, _write_lss(folder / "limesurvey_survey_482915.lss")


def _write_lss(path: Path) -> Path:
    from xml.sax.saxutils import escape

    questions, subquestions, answers, l10n, a10n = [], [], [], [], []
    qid = 100
    aid = 1000

    def question(code: str, text: str, parent: int = 0) -> int:
        nonlocal qid
        qid += 1
        target = subquestions if parent else questions
        target.append(f"<row><qid>{qid}</qid><parent_qid>{parent}</parent_qid>"
                      f"<sid>482915</sid><title>{code}</title><type>L</type></row>")
        l10n.append(f"<row><id>{qid}</id><qid>{qid}</qid><question>{escape(text)}"
                    f"</question><language>nl</language></row>")
        return qid

    def answer_set(q: int, item: str) -> None:
        nonlocal aid
        for a in INSTRUMENT.column(item).answers.answers:
            aid += 1
            answers.append(f"<row><aid>{aid}</aid><qid>{q}</qid><code>A{a.code}</code>"
                           f"<sortorder>{a.code}</sortorder></row>")
            a10n.append(f"<row><id>{aid}</id><aid>{aid}</aid><answer>"
                        f"{escape(a.label.nl.capitalize())}</answer><language>nl</language>"
                        f"</row>")

    for code, item, text in LIME:
        q = question(code, text)
        if INSTRUMENT.column(item).type == "categorical":
            answer_set(q, item)
    parent = question("G05Q01", "Hoe ervaart u de steun van het MSS?")
    answer_set(parent, "exp_heard")
    for s, _, text in LIME_EXP:
        question(s, text, parent)
    parent = question("G05Q02", "Waar heeft u behoefte aan?")
    for i, a in enumerate(INSTRUMENT.answer_sets["participation_need"].answers):
        question(f"SQ00{i + 1}", a.label.nl.capitalize(), parent)
    for code, _, text in LIME_TAIL:
        question(code, text)
    xml = ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<document>"
           "<LimeSurveyDocType>Survey</LimeSurveyDocType><DBVersion>495</DBVersion>"
           f"<answers><rows>{''.join(answers)}</rows></answers>"
           f"<answer_l10ns><rows>{''.join(a10n)}</rows></answer_l10ns>"
           f"<questions><rows>{''.join(questions)}</rows></questions>"
           f"<subquestions><rows>{''.join(subquestions)}</rows></subquestions>"
           f"<question_l10ns><rows>{''.join(l10n)}</rows></question_l10ns></document>\n")
    path.write_text(xml, encoding="utf-8")
    return path


# -- Castor EDC: semicolon CSV, dd-mm-yyyy, -98/-99, one checkbox column, field/option lists --
CASTOR = [  # (variable, item, label, option group)
    ("resp_nr", "respondent_id", "Respondentnummer", ""),
    ("int_datum", "interview_date", "Datum interview", ""),
    ("geslacht", "gender", "Geslacht", "Geslacht"),
    ("leeftijd", "age_band", "Leeftijdsgroep", "Leeftijd"),
    ("wonen", "living_situation", "Woonsituatie", "Wonen"),
    ("opleiding", "education", "Opleiding", "Opleiding"),
    ("ggz_ooit", "ever_treated_mhc", "Ooit behandeld in de ggz", "JaNee"),
    ("hulpverl", "contact_professional", "Contact met een hulpverlener", "JaNee"),
    ("spv", "has_spv", "Heeft een SPV", "JaNee"),
    ("dagbest", "day_activities", "Neemt deel aan georganiseerde dagbesteding", "JaNee"),
    ("werk", "paid_work", "Heeft betaald werk", "JaNee"),
    ("cijfer", "mss_rating", "Rapportcijfer voor het MSS", ""),
    ("erv_gehoord", "exp_heard", "Ik voel me gehoord en begrepen", "Eens5"),
    ("erv_tijd", "exp_time", "Medewerkers nemen de tijd voor me", "Eens5"),
    ("erv_wissel", "exp_staff_change", "Ik krijg steeds met andere medewerkers te maken",
     "Eens5"),
    ("erv_wensen", "exp_wishes", "De steun sluit aan bij mijn wensen", "Eens5"),
    ("wensen", "participation_needs", "Participatiewensen", "Wensen"),
    ("netw_fam", "network_close", "Netwerk: familie en vrienden", ""),
    ("netw_inf", "network_informal", "Netwerk: informele contacten", ""),
    ("open_helpt", "open_support", "Wat helpt u het meest?", ""),
]
#: Castor's codes: yes/no as 1/0, the rest as the instrument's; missing as -98 / -99.
CASTOR_MISSING = {98: "-98", 99: "-99"}


def write_castor(folder: Path) -> tuple[Path, list[Path]]:
    header = ["Participant Id", "Participant Status", "Site Abbreviation",
              "Participant Creation Date"] + [v for v, _, _, _ in CASTOR]
    path = folder / "MSS_monitor_export_20101020.csv"
    need_codes = {a.key: a.code for a in INSTRUMENT.answer_sets["participation_need"].answers}
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(header)
        for i, a in enumerate(ANSWERS):
            row = [f"11000{i + 1}", "Completed", "HVS", "14-09-2010 09:12:00"]
            for _, item, _, _ in CASTOR:
                if item == "participation_needs":
                    row.append(";".join(str(need_codes[k]) for k in a["needs"]))
                    continue
                value = a[item]
                if value is None:
                    row.append("")
                elif item == "interview_date":
                    y, m, d = value.split("-")
                    row.append(f"{d}-{m}-{y}")
                elif value in CASTOR_MISSING and item != "mss_rating":
                    row.append(CASTOR_MISSING[value])
                elif item == "mss_rating" and value == 99:
                    row.append("-99")
                else:
                    row.append(str(value))
            w.writerow(row)
    fields = folder / "MSS_monitor_export_20101020_field_list.csv"
    with open(fields, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Form Type", "Form Collection Name", "Form Name", "Field Variable Name",
                    "Field Label", "Field Type", "Field Required", "Field Option Group"])
        for v, item, label, group in CASTOR:
            kind = {"": "string", "JaNee": "radio", "Wensen": "checkbox"}.get(group, "radio")
            w.writerow(["Study", "Cliëntinterview", "Interview", v, label, kind, "0", group])
    options = folder / "MSS_monitor_export_20101020_option_list.csv"
    groups = {"Geslacht": "gender", "Leeftijd": "age_band", "Wonen": "living_situation",
              "Opleiding": "education", "Eens5": "exp_heard"}
    with open(options, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, delimiter=";")
        w.writerow(["Option Group Id", "Option Group Name", "Option Name", "Option Value"])
        for n, (group, item) in enumerate(groups.items()):
            for a in INSTRUMENT.column(item).answers.answers:
                w.writerow([f"g{n}", group, a.label.nl.capitalize(), a.code])
        w.writerow(["g8", "JaNee", "Ja", 1])
        w.writerow(["g8", "JaNee", "Nee", 0])
        for a in INSTRUMENT.answer_sets["participation_need"].answers:
            w.writerow(["g9", "Wensen", a.label.nl.capitalize(), a.code])
    return path, [fields, options]
