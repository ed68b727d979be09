"""Generating the synthetic example study (voorbeeldstudie).

:func:`generate_study` writes a complete study folder the way regions would send it: ``study.yaml``
and ``data/<round>/<region>/<instrument>.<csv|xlsx|sav>`` for every instrument in
``questionnaires/``, for every region of both rounds of the LPGGz client monitor of 2010.

* Round ``2010-1`` (Den Haag, Eindhoven, Dordrecht) has exactly the counts of Table 1 of the
  interim report: general and partner interviews in the interview register, questionnaires about
  clients, client interviews and feedback-meeting attendees.
* The values are drawn so that each region resembles what the interim report found: mean client
  rating 8.0, 8.0 and 7.7; in Den Haag about 90% ever treated in mental health care, 95% in contact
  with a professional, 70% with an SPV, 75% in organised day activities and fewer than half with
  their question brought to a case table; in Eindhoven just over half in contact with a
  professional; in Dordrecht nearly all with a trajectory counsellor; informal network rings thinner
  than professional ones everywhere; a covenant (2004), steering group, privacy regulation and a
  performance agreement of 25 referrals to day activities per case table per year in Den Haag only.
* Round ``2010-2`` (Bos en Lommer, Alkmaar, Breda, De Bilt) has plausible counts; De Bilt has only
  six client interviews, so breakdowns there run into the minimum number of respondents.
* A follow-up round ``2011`` measures Den Haag and Dordrecht again: part of their clients of
  round ``2010-1`` are interviewed a second time under the same respondent id (so under the same
  pseudonym), with their background unchanged and a somewhat higher rating, beside a few new
  clients. The final report compares the same clients (paired) and the rounds' clients.
* The files come in the formats regions use: CSV with commas in UTF-8 (with and without byte-order
  mark), CSV as Dutch Excel writes it (semicolons, Windows-1252, dates as ``31-3-2010``), Excel
  workbooks with a ``gegevens`` sheet, and SPSS files with value labels and user-missing codes. Two
  files hold answer labels (``ja``/``nee``, ``vrouw``) instead of codes, as Excel users type them.

Every person, organisation, answer and quote is invented; organisation and service names end in
``(fictief)``. Ids look like ``DH-C01`` and never like a citizen service number, phone number,
e-mail address or postcode.

The output depends only on the arguments: each (round, region, instrument) draws from its own
``numpy.random.default_rng`` seeded with the study seed and a stable hash of its name, so adding
regions for a benchmark leaves the named regions unchanged, and the same seed gives byte-identical
files (workbooks and SPSS files carry fixed timestamps).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import shutil
import tempfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from ..instruments import (Column, Instrument, codebook, get_instrument, instruments,
                           questionnaires_dir)
from ..study import DATA_DIR, SECRET_FILE, STUDY_FILE

#: The seed of the shipped example study (the year of the client monitor).
EXAMPLE_SEED = 2010
#: What the generator writes into a study folder; ``overwrite=True`` replaces only these.
GENERATED_ITEMS = (STUDY_FILE, DATA_DIR)
#: Fixed timestamp written into workbooks and SPSS files, so the bytes depend on content only.
FIXED_DATETIME = dt.datetime(2010, 1, 1, 0, 0, 0)

MISSING_NOT_APPLICABLE, MISSING_DONT_KNOW, MISSING_NO_ANSWER = 97, 98, 99


# ============================================================================================
# The study plan: rounds and regions
# ============================================================================================
@dataclass(frozen=True)
class RegionPlan:
    """Everything the generator needs to know about one region in one round."""

    id: str
    name: str
    #: Two or three capitals starting every respondent id of the region (``DH-C01``).
    prefix: str
    municipalities: tuple[str, ...]
    target_population: int
    profile: Mapping[str, str]
    #: An invented word for the region's fictitious organisation and service names.
    stem: str
    #: Rows per instrument: general, partner, questionnaires, clients, attendees, findings,
    #: services, partner_survey_extra.
    counts: Mapping[str, int]
    clients: Mapping
    questionnaire: Mapping
    partners: Mapping
    governance: Mapping
    monitor: Mapping
    #: File format of most instruments: csv, csv_bom, csv_nl, xlsx or sav.
    fmt: str = "csv"
    #: Instrument -> file format, where it differs from ``fmt``.
    formats: Mapping[str, str] = field(default_factory=dict)
    #: Instruments written with answer labels instead of codes -> capitalise the labels.
    labels: Mapping[str, bool] = field(default_factory=dict)
    #: The instruments the region delivered (``None``: every instrument). A region that
    #: delivered only part shows what a report does with instruments that never arrived.
    delivers: tuple[str, ...] | None = None

    def format_of(self, instrument_id: str) -> str:
        return self.formats.get(instrument_id, self.fmt)


@dataclass(frozen=True)
class RoundPlan:
    id: str
    label: str
    start: dt.date
    end: dt.date
    regions: tuple[RegionPlan, ...]
    #: A follow-up round: region -> (round followed, clients interviewed again). Their records
    #: are drawn from the earlier ones (:func:`followed_clients`).
    follow_up: Mapping[str, tuple[str, int]] = field(default_factory=dict)


# -- shared defaults ----------------------------------------------------------------------------
_BASE_SHARES = dict(
    ever_treated_mhc=0.80, contact_professional=0.80, has_spv=0.35, has_housing_support=0.30,
    has_trajectory_counsellor=0.30, has_other_professional=0.30, day_activities=0.50,
    paid_work=0.08, volunteering=0.30, in_education=0.06, peer_expert_contact=0.35,
)
#: Share of clients needing support per life domain (participation needs drive demand).
_DOMAIN_NEED = dict(housing=0.35, social_contacts=0.65, leisure=0.45, culture=0.15,
                    education=0.15, finances=0.40, work=0.30, day_activities=0.60)
_NETWORK = (1.8, 0.8, 2.7, 3.0)  # close, informal, general services, specialised care
_ROUTE = dict(own_initiative=2, referred_professional=4, via_relatives=1, outreach=2, case_table=1)
_REFERRER = dict(mental_health_care=5, general_practitioner=2, social_work=2,
                 housing_corporation=1, municipality=1, sheltered_housing=1, other=1)
_SCALES = ("short_lines", "task_coordination", "knowledge_target_group", "knowledge_services",
           "commitment", "shared_vision", "insight_results", "visibility", "peer_expertise")

_NO_GOVERNANCE = dict(
    covenant=0, covenant_year=None, steering_group=0, steering_group_members=(),
    steering_group_frequency=None, case_tables=1, case_table_frequency="monthly",
    performance_agreement=0, agreed_referrals_per_table=None, privacy_regulation=0,
    coordinator="welfare_work", funding=("wmo",), structural_consultation=0,
)


def _client_profile(rating: float, route=None, network=_NETWORK, **shares) -> dict:
    return dict(rating=rating, shares={**_BASE_SHARES, **shares}, route=route or _ROUTE,
                network=network)


def _questionnaire_profile(case_table: float, frequency=("quarterly", "weekly"), months=(1, 36),
                           roles=None, months_unknown=False, **outcomes) -> dict:
    return dict(case_table=case_table, frequency=frequency, months=months,
                roles=roles or {"trajectory_counsellor": 1, "spv": 1},
                months_unknown=months_unknown,
                outcomes={**dict(day_activities=0.35, work=0.15, housing=0.15,
                                 social_contacts=0.40, care=0.30, finances=0.20, none_yet=0.10),
                          **outcomes})


def _partner_profile(results: float = 7.0, **scales: float) -> dict:
    return dict(results=results, scales={**{s: 3.6 for s in _SCALES}, **scales})


# -- the named regions --------------------------------------------------------------------------
_NAMED: dict[str, dict] = {
    "den_haag": dict(
        name="Den Haag", prefix="DH", stem="Duinrand",
        municipalities=("Den Haag", "Rijswijk", "Leidschendam-Voorburg", "Wassenaar"),
        target_population=3400,
        profile=dict(
            goal="Bewoners met een langdurige psychische kwetsbaarheid vinden via het steunsysteem "
                 "een eigen plek in de stad: zinvolle dagbesteding, contacten en zo min mogelijk "
                 "afhankelijkheid van hulpverlening.",
            target_group="Volwassenen met langdurige psychische problemen; daarnaast jongeren "
                         "en ouderen in de ggz, eenzame bewoners en mensen met psychosociale "
                         "klachten.",
            way_of_working="Vijf wijkgebonden werktafels komen elke maand bijeen. Deelnemers "
                           "brengen geanonimiseerde vragen van cliënten in en zoeken samen naar "
                           "bestaand of nieuw aanbod. Werktafelcoördinatoren en een "
                           "programmacoördinator houden de sociale kaart bij en openen reguliere "
                           "voorzieningen voor de doelgroep.",
        ),
        counts=dict(general=5, partner=8, questionnaires=7, clients=14, attendees=12, findings=10,
                    services=28, partner_survey_extra=2),
        clients=_client_profile(
            8.0, route=dict(case_table=4, referred_professional=4, own_initiative=2,
                            via_relatives=1, outreach=1),
            ever_treated_mhc=0.90, contact_professional=0.95, has_spv=0.70,
            has_housing_support=0.35, has_trajectory_counsellor=0.15, day_activities=0.75,
            peer_expert_contact=0.30),
        questionnaire=_questionnaire_profile(
            3 / 7, frequency=("bimonthly", "weekly"), months=(2, 18),
            roles={"table_coordinator": 2, "spv": 2, "housing_support_worker": 1},
            day_activities=0.70),
        partners=_partner_profile(7.6, short_lines=4.2, commitment=4.1, shared_vision=4.0,
                                  task_coordination=3.9, insight_results=3.5, peer_expertise=3.1),
        governance=dict(
            covenant=1, covenant_year=2004, steering_group=1,
            steering_group_members=("clients_relatives", "government_funders", "care_services"),
            steering_group_frequency="quarterly", case_tables=5, case_table_frequency="monthly",
            performance_agreement=1, agreed_referrals_per_table=25, privacy_regulation=1,
            coordinator="municipality", funding=("wmo", "awbz"), structural_consultation=1),
        monitor=dict(
            start=dt.date(2009, 7, 1), end=dt.date(2010, 6, 30),
            # referrals to day activities per case table: around the agreed 25, some short of it
            tables={"Werktafel Centrum": 31, "Werktafel Escamp": 27, "Werktafel Laak": 22,
                    "Werktafel Segbroek": 19, "Werktafel Scheveningen": 28},
            other_per_table=12, new_client=0.85),
        fmt="xlsx", formats={"client_interview": "sav"},
    ),
    "eindhoven": dict(
        name="Eindhoven", prefix="EH", stem="Dommelzicht",
        municipalities=("Eindhoven", "Bladel", "Veldhoven", "Geldrop-Mierlo"),
        target_population=2800,
        profile=dict(
            goal="Iedere deelnemer heeft een eigen steunnetwerk waarmee hij of zij zich redt in de "
                 "wijk en meedoet op een manier die bij hem of haar past.",
            target_group="In beginsel alle kwetsbare inwoners van de wijken en dorpen in de regio, "
                         "met nadruk op mensen met psychische problemen.",
            way_of_working="Kwartiermakers en getrainde ervaringsdeskundigen werken in lokale "
                           "steunsystemen per wijk of dorp. In terugkerende overleggen signaleren "
                           "gemeente, corporatie, politie, welzijn en zorg problemen en zoeken zij "
                           "samen naar oplossingen.",
        ),
        counts=dict(general=10, partner=9, questionnaires=10, clients=13, attendees=12,
                    findings=11, services=24, partner_survey_extra=2),
        clients=_client_profile(
            8.0, route=dict(outreach=4, referred_professional=3, own_initiative=2,
                            via_relatives=2, case_table=1),
            ever_treated_mhc=0.70, contact_professional=0.55, has_spv=0.25,
            has_housing_support=0.15, has_trajectory_counsellor=0.20, day_activities=0.45,
            volunteering=0.40, peer_expert_contact=0.60),
        questionnaire=_questionnaire_profile(
            0.4, frequency=("monthly", "weekly"), months=(1, 30), months_unknown=True,
            roles={"kwartiermaker": 3, "peer_expert": 1, "trajectory_counsellor": 1},
            social_contacts=0.55),
        partners=_partner_profile(7.1, commitment=3.2, shared_vision=3.3, peer_expertise=4.3,
                                  knowledge_target_group=4.1, visibility=3.3),
        governance=dict(_NO_GOVERNANCE, case_tables=4, case_table_frequency="monthly",
                        coordinator="mental_health_care", funding=("wmo", "awbz", "funds")),
        monitor=dict(
            start=dt.date(2009, 7, 1), end=dt.date(2010, 6, 30),
            tables={"Netwerkoverleg Woensel": None, "Netwerkoverleg Stratum": None,
                    "Netwerkoverleg Bladel": None, "Netwerkoverleg Veldhoven": None},
            rows=96, new_client=0.8),
        fmt="csv",
    ),
    "dordrecht": dict(
        name="Dordrecht", prefix="DO", stem="Merwehoek",
        municipalities=("Dordrecht",),
        target_population=650,
        profile=dict(
            goal="Ontmoeting tussen cliënten en buurtbewoners bevorderen en cliënten helpen om mee "
                 "te doen in hun eigen buurt.",
            target_group="Cliënten van de regionale ggz-instelling met langdurige psychische "
                         "problemen die in Dordrecht wonen.",
            way_of_working="Trajectbegeleiders bieden steun op alle levensgebieden. Werkplaatsen "
                           "in de wijk zijn plekken om elkaar te ontmoeten, en een outreachend "
                           "team zoekt zelf buurtbewoners op die zorg nodig lijken te hebben.",
        ),
        counts=dict(general=4, partner=5, questionnaires=9, clients=12, attendees=10, findings=9,
                    services=16, partner_survey_extra=2),
        clients=_client_profile(
            7.7, route=dict(referred_professional=6, outreach=3, own_initiative=1,
                            via_relatives=1),
            ever_treated_mhc=0.95, contact_professional=1.0, has_spv=0.25,
            has_housing_support=0.35, has_trajectory_counsellor=0.92,
            has_other_professional=0.40, day_activities=0.60, peer_expert_contact=0.25),
        questionnaire=_questionnaire_profile(
            2 / 9, frequency=("yearly", "weekly"), months=(3, 48),
            roles={"trajectory_counsellor": 4, "housing_support_worker": 1}, care=0.45),
        partners=_partner_profile(6.9, commitment=3.3, shared_vision=3.4, knowledge_services=3.2,
                                  peer_expertise=3.6, insight_results=3.2),
        governance=dict(_NO_GOVERNANCE, case_tables=0, case_table_frequency=None,
                        coordinator="mental_health_care", funding=("awbz", "zvw")),
        monitor=dict(
            start=dt.date(2010, 1, 4), end=dt.date(2010, 7, 4),
            # outreach: about three new people a week, some seen more than once
            tables={"Outreachteam": None}, outreach_per_week=3, follow_up=0.35),
        fmt="csv_nl",
    ),
    "bos_en_lommer": dict(
        name="Bos en Lommer (Amsterdam)", prefix="BL", stem="Lommerhof",
        municipalities=("Amsterdam",), target_population=450,
        profile=dict(
            goal="Kwetsbare bewoners van het stadsdeel vroeg in beeld brengen en hen verbinden met "
                 "voorzieningen in de buurt.",
            target_group="Bewoners met psychische problemen, vaak samen met schulden, verslaving "
                         "of eenzaamheid.",
            way_of_working="Een buurtnetwerk van hulpverleners, corporaties en "
                           "bewonersinitiatieven bespreekt signalen; een kwartiermaker opent "
                           "buurthuizen en verenigingen voor de doelgroep.",
        ),
        counts=dict(general=4, partner=6, questionnaires=8, clients=10, attendees=9, findings=8,
                    services=18, partner_survey_extra=2),
        clients=_client_profile(7.6, has_spv=0.30, contact_professional=0.75,
                                has_housing_support=0.40, day_activities=0.40),
        questionnaire=_questionnaire_profile(0.5, roles={"kwartiermaker": 2, "spv": 1},
                                             finances=0.40, housing=0.30),
        partners=_partner_profile(6.8, shared_vision=3.4, visibility=3.2),
        governance=dict(_NO_GOVERNANCE, case_tables=1, case_table_frequency="fortnightly",
                        coordinator="welfare_work", funding=("wmo", "housing_corporation")),
        monitor=dict(start=dt.date(2009, 9, 1), end=dt.date(2010, 8, 31),
                     tables={"Buurtnetwerk Bos en Lommer": None}, rows=54, new_client=0.8),
        fmt="xlsx",
    ),
    "alkmaar": dict(
        name="Alkmaar", prefix="AK", stem="Noorderhaven",
        municipalities=("Alkmaar", "Heiloo"), target_population=900,
        profile=dict(
            goal="Een sluitende aanpak, zodat mensen met een psychische kwetsbaarheid niet tussen "
                 "wal en schip raken.",
            target_group="Volwassenen met langdurige psychische problemen in Alkmaar en Heiloo.",
            way_of_working="Een regiegroep van ggz, maatschappelijke opvang, gemeente en welzijn "
                           "verdeelt aanmeldingen; vaste contactpersonen per organisatie houden de "
                           "lijnen kort.",
        ),
        counts=dict(general=5, partner=7, questionnaires=9, clients=12, attendees=11, findings=9,
                    services=20, partner_survey_extra=3),
        clients=_client_profile(7.9, contact_professional=0.85, has_spv=0.45),
        questionnaire=_questionnaire_profile(0.6, roles={"programme_coordinator": 1, "spv": 2},
                                             care=0.40),
        partners=_partner_profile(7.3, short_lines=4.0, task_coordination=3.9),
        governance=dict(_NO_GOVERNANCE, case_tables=2, coordinator="mental_health_care",
                        funding=("wmo", "awbz", "own_means"), structural_consultation=1),
        monitor=dict(start=dt.date(2009, 9, 1), end=dt.date(2010, 8, 31),
                     tables={"Regiegroep Alkmaar": None, "Regiegroep Heiloo": None},
                     rows=70, new_client=0.8),
        fmt="csv", formats={"client_questionnaire": "sav"},
    ),
    "breda": dict(
        name="Breda", prefix="BR", stem="Singelstad",
        municipalities=("Breda",), target_population=1500,
        profile=dict(
            goal="Herstel en meedoen stimuleren door dagbesteding, werk en ontmoeting dichter bij "
                 "huis te brengen.",
            target_group="Mensen met een psychische kwetsbaarheid die weinig contacten of geen "
                         "dagstructuur hebben.",
            way_of_working="Wijkteams met een ggz-consulent brengen vragen in bij een maandelijkse "
                           "netwerktafel; ervaringsdeskundigen begeleiden cliënten naar "
                           "activiteiten.",
        ),
        counts=dict(general=6, partner=8, questionnaires=11, clients=15, attendees=14,
                    findings=10, services=22, partner_survey_extra=2),
        clients=_client_profile(7.8, day_activities=0.55, peer_expert_contact=0.50),
        questionnaire=_questionnaire_profile(0.55, roles={"table_coordinator": 1,
                                                          "peer_expert": 1, "spv": 1},
                                             day_activities=0.50),
        partners=_partner_profile(7.2, peer_expertise=4.0, knowledge_services=3.9),
        governance=dict(_NO_GOVERNANCE, case_tables=3, coordinator="municipality",
                        funding=("wmo", "funds")),
        monitor=dict(start=dt.date(2009, 9, 1), end=dt.date(2010, 8, 31),
                     tables={"Netwerktafel Noord": None, "Netwerktafel Zuid": None,
                             "Netwerktafel Centrum": None}, rows=84, new_client=0.8),
        fmt="xlsx", labels={"client_interview": True},
    ),
    "de_bilt": dict(
        name="De Bilt", prefix="DB", stem="Bosrand",
        municipalities=("De Bilt",), target_population=350,
        profile=dict(
            goal="Inwoners met psychische problemen in een gemeente met dorpskernen steun bieden "
                 "dicht bij huis.",
            target_group="Zelfstandig wonende volwassenen met een psychische kwetsbaarheid, vaak "
                         "alleenstaand.",
            way_of_working="Een klein netwerk van Wmo-loket, welzijnswerk, huisartsen en ggz "
                           "overlegt wanneer dat nodig is; een vrijwilligerscentrale koppelt "
                           "maatjes aan bewoners.",
        ),
        counts=dict(general=3, partner=4, questionnaires=5, clients=6, attendees=7, findings=8,
                    services=12, partner_survey_extra=2),
        clients=_client_profile(7.4, contact_professional=0.70, has_spv=0.30,
                                day_activities=0.35, network=(2.0, 1.0, 2.6, 2.8)),
        questionnaire=_questionnaire_profile(0.4, roles={"spv": 1, "other": 1}),
        partners=_partner_profile(6.7, commitment=3.3, insight_results=3.1),
        governance=dict(_NO_GOVERNANCE, case_tables=1, case_table_frequency="bimonthly",
                        coordinator="none", funding=("wmo",)),
        monitor=dict(start=dt.date(2009, 9, 1), end=dt.date(2010, 8, 31),
                     tables={"Zorgoverleg De Bilt": None}, rows=32, new_client=0.85),
        fmt="csv_bom", labels={"client_interview": False},
    ),
    # too few clients for the minimum of 5: its client figures are suppressed (the marker x);
    # together with Hilversum's three clients the round's totals rest on enough people to show
    "zeist": dict(
        name="Zeist", prefix="ZE", stem="Heuvelrug",
        municipalities=("Zeist",), target_population=500,
        profile=dict(
            goal="Mensen met een psychische kwetsbaarheid een vast aanspreekpunt in hun dorp "
                 "geven, zodat zij er niet alleen voor staan.",
            target_group="Thuiswonende volwassenen met psychische problemen die weinig "
                         "contact hebben met hun omgeving.",
            way_of_working="Een ggz-verpleegkundige en een welzijnswerker bezoeken "
                           "cliënten thuis en zoeken samen met hen een activiteit of "
                           "vrijwilligersplek in de buurt; zes keer per jaar is er overleg met "
                           "de gemeente.",
        ),
        counts=dict(general=3, partner=5, questionnaires=3, clients=4, attendees=8, findings=8,
                    services=12, partner_survey_extra=2),
        clients=_client_profile(7.5, contact_professional=0.75, has_spv=0.50,
                                day_activities=0.50),
        questionnaire=_questionnaire_profile(0.35, roles={"spv": 1, "other": 1}),
        partners=_partner_profile(7.0, short_lines=3.9, visibility=3.1),
        governance=dict(_NO_GOVERNANCE, case_tables=1, case_table_frequency="bimonthly",
                        coordinator="municipality", funding=("wmo",)),
        monitor=dict(start=dt.date(2009, 9, 1), end=dt.date(2010, 8, 31),
                     tables={"Overleg Zeist": None}, rows=30, new_client=0.85),
        fmt="xlsx",
    ),
    # delivered only the client interviews, the questionnaires and the interview register
    "hilversum": dict(
        name="Hilversum", prefix="HV", stem="Gooiland",
        municipalities=("Hilversum",), target_population=800,
        profile=dict(
            goal="Dagbesteding en werk binnen bereik brengen van inwoners die langdurig "
                 "psychisch kwetsbaar zijn.",
            target_group="Volwassenen met langdurige psychische problemen zonder werk of vaste "
                         "dagbesteding.",
            way_of_working="Een trajectbegeleider van de ggz en een consulent van de gemeente "
                           "leiden cliënten samen naar dagbesteding, vrijwilligerswerk of een "
                           "baan.",
        ),
        # the undelivered instruments are drawn as for any region and then left out
        counts=dict(general=2, partner=2, questionnaires=3, clients=3, attendees=6, findings=6,
                    services=10, partner_survey_extra=1),
        clients=_client_profile(7.6, has_trajectory_counsellor=0.60, day_activities=0.45),
        questionnaire=_questionnaire_profile(0.3, roles={"trajectory_counsellor": 2}),
        partners=_partner_profile(7.0),
        governance=dict(_NO_GOVERNANCE, case_tables=0, case_table_frequency=None,
                        coordinator="mental_health_care", funding=("wmo",)),
        monitor=dict(start=dt.date(2009, 9, 1), end=dt.date(2010, 8, 31),
                     tables={"Trajectoverleg": None}, rows=20, new_client=0.8),
        fmt="csv",
        delivers=("client_interview", "client_questionnaire", "interview_register"),
    ),
}

#: The follow-up round: per region the round followed, how many of its clients are interviewed
#: again (the first ones by respondent id), how many new clients join, the other counts of the
#: round, and the period of the monitor register.
_FOLLOW_UP: dict[str, dict] = {
    "den_haag": dict(of="2010-1", followed=9, new=3,
                     counts=dict(general=3, partner=6, questionnaires=6, attendees=10,
                                 findings=8, services=28, partner_survey_extra=2),
                     monitor=dict(start=dt.date(2010, 7, 1), end=dt.date(2011, 6, 30))),
    "dordrecht": dict(of="2010-1", followed=7, new=2,
                      counts=dict(general=3, partner=4, questionnaires=6, attendees=8,
                                  findings=8, services=14, partner_survey_extra=2),
                      monitor=dict(start=dt.date(2010, 7, 1), end=dt.date(2011, 6, 30))),
}

_ROUNDS = (
    dict(id="2010-1", label="Ronde 1, voorjaar 2010", start=dt.date(2010, 2, 1),
         end=dt.date(2010, 7, 31), regions=("den_haag", "eindhoven", "dordrecht")),
    # the last two regions show disclosure control and a partial delivery
    dict(id="2010-2", label="Ronde 2, najaar 2010", start=dt.date(2010, 9, 1),
         end=dt.date(2010, 12, 31), regions=("bos_en_lommer", "alkmaar", "breda", "de_bilt",
                                             "zeist", "hilversum")),
    # two regions of round 1 measured again; part of their clients are the same people
    dict(id="2011", label="Vervolgmeting 2011", start=dt.date(2011, 3, 1),
         end=dt.date(2011, 6, 30), regions=("den_haag", "dordrecht"), follow_up=_FOLLOW_UP),
)

# -- extra regions for benchmarks ---------------------------------------------------------------
_NAME_FIRST = ("Oost", "West", "Noord", "Zuid", "Hoog", "Laag", "Nieuw", "Oud", "Groot", "Klein")
_NAME_LAST = ("veen", "dam", "wijk", "broek", "hoven", "dijk", "horst", "meer", "waard", "rode")
_EXTRA_FORMATS = ("csv", "xlsx", "csv_nl", "csv_bom")


def _extra_region(seed: int, index: int) -> dict:
    """A plausible, invented region ``region_<index>`` for benchmarks."""
    rng = _rng(seed, "extra", f"region_{index:03d}", "plan")
    combos = len(_NAME_FIRST) * len(_NAME_LAST)
    k = (index - 1) % combos
    word = _NAME_FIRST[k // len(_NAME_LAST)] + _NAME_LAST[k % len(_NAME_LAST)]
    if index > combos:
        word += f" {(index - 1) // combos + 1}"
    tables = {f"Netwerktafel {word} {c}": None for c in ("Noord", "Zuid", "Centrum")[
        : int(rng.integers(1, 4))]}
    return dict(
        name=f"Regio {word}", prefix=f"R{index:03d}", stem=word, municipalities=(word,),
        target_population=int(rng.integers(3, 40)) * 50,
        profile=dict(
            goal="Mensen met een psychische kwetsbaarheid helpen meedoen in hun eigen buurt.",
            target_group="Volwassenen met langdurige psychische problemen in de regio.",
            way_of_working="Een netwerktafel van zorg, welzijn, gemeente en corporatie bespreekt "
                           "vragen van cliënten en zoekt passend aanbod.",
        ),
        counts=dict(general=int(rng.integers(3, 9)), partner=int(rng.integers(4, 10)),
                    questionnaires=int(rng.integers(6, 13)), clients=int(rng.integers(8, 16)),
                    attendees=int(rng.integers(6, 15)), findings=int(rng.integers(7, 12)),
                    services=int(rng.integers(12, 25)), partner_survey_extra=2),
        clients=_client_profile(round(float(rng.uniform(7.3, 8.2)), 1),
                                contact_professional=float(rng.uniform(0.6, 0.95)),
                                has_spv=float(rng.uniform(0.2, 0.6)),
                                day_activities=float(rng.uniform(0.35, 0.7))),
        questionnaire=_questionnaire_profile(float(rng.uniform(0.3, 0.7))),
        partners=_partner_profile(round(float(rng.uniform(6.5, 7.6)), 1)),
        governance=dict(_NO_GOVERNANCE, case_tables=len(tables)),
        monitor=dict(start=dt.date(2009, 9, 1), end=dt.date(2010, 8, 31), tables=tables,
                     rows=int(rng.integers(30, 90)), new_client=0.8),
        fmt=_EXTRA_FORMATS[(index - 1) % len(_EXTRA_FORMATS)],
    )


def _scaled(n: int, factor: float, minimum: int = 1) -> int:
    if factor == 1.0:
        return n
    return max(minimum, _round_half_up(n * factor))


def study_plan(*, seed: int = EXAMPLE_SEED, regions_per_round: int | None = None,
               clients_per_region: int | None = None, size_factor: float = 1.0
               ) -> tuple[RoundPlan, ...]:
    """The rounds and regions :func:`generate_study` writes, with the number of rows of each.

    ``regions_per_round`` keeps the first named regions of a round, or adds invented regions
    ``region_001``, ``region_002``, ... after them; ``clients_per_region`` sets the number of client
    interviews of every region; ``size_factor`` multiplies every other count (and the client
    interviews when ``clients_per_region`` is not given). The default is the named study.
    """
    if size_factor <= 0:
        raise ValueError("size_factor must be positive")
    if regions_per_round is not None and regions_per_round < 1:
        raise ValueError("regions_per_round must be at least 1")
    if clients_per_region is not None and clients_per_region < 1:
        raise ValueError("clients_per_region must be at least 1")
    extra_index = 0
    rounds = []
    for spec in _ROUNDS:
        if "follow_up" in spec and regions_per_round is not None:
            continue  # benchmarks measure cross-sections; the follow-up is the named study's
        follow = spec.get("follow_up", {})
        named = list(spec["regions"])
        wanted = len(named) if regions_per_round is None else regions_per_round
        chosen: list[tuple[str, dict]] = [(r, _NAMED[r]) for r in named[:wanted]]
        while len(chosen) < wanted:
            extra_index += 1
            chosen.append((f"region_{extra_index:03d}", _extra_region(seed, extra_index)))
        plans = []
        for region_id, data in chosen:
            if region_id in follow:
                again = follow[region_id]
                data = {**data, "counts": {**again["counts"],
                                           "clients": again["followed"] + again["new"]},
                        "monitor": {**data["monitor"], **again["monitor"]}}
            counts = {k: (v if k == "partner_survey_extra" else _scaled(v, size_factor))
                      for k, v in data["counts"].items()}
            if clients_per_region is not None:
                counts["clients"] = clients_per_region
            monitor = dict(data["monitor"])
            if size_factor != 1.0:
                monitor["scale"] = size_factor
            plans.append(RegionPlan(id=region_id, **{**data, "counts": counts,
                                                     "monitor": monitor}))
        followed = {r: (f["of"], min(f["followed"], plan.counts["clients"]))
                    for r, f in follow.items() for plan in plans if plan.id == r}
        rounds.append(RoundPlan(id=spec["id"], label=spec["label"], start=spec["start"],
                                end=spec["end"], regions=tuple(plans), follow_up=followed))
    return tuple(rounds)


# ============================================================================================
# Drawing values
# ============================================================================================
def _rng(seed: int, *names: str) -> np.random.Generator:
    """An independent stream per (round, region, instrument), stable across Python runs."""
    key = zlib.crc32("/".join(names).encode("utf-8"))
    return np.random.default_rng([seed, key])


def _round_half_up(x: float) -> int:
    return int(math.floor(x + 0.5))


def _choose(rng: np.random.Generator, weights: Mapping[str, float], size: int) -> list[str]:
    keys = list(weights)
    p = np.array([weights[k] for k in keys], dtype=float)
    return [keys[i] for i in rng.choice(len(keys), size=size, p=p / p.sum())]


def _pick(rng: np.random.Generator, share: float, n: int, score: np.ndarray | None = None,
          among: np.ndarray | None = None) -> np.ndarray:
    """Exactly ``round(share * n)`` respondents, as close to the share as ``n`` allows.

    Respondents with a higher ``score`` are likelier to be chosen; respondents in ``among`` are
    chosen first (so, for instance, only clients in contact with a professional have an SPV).
    """
    k = min(n, max(0, _round_half_up(share * n)))
    s = rng.normal(0.0, 0.8, n) + (0.0 if score is None else score)
    if among is not None:
        s = s + np.where(among, 100.0, 0.0)
    chosen = np.zeros(n, dtype=bool)
    chosen[np.argsort(-s, kind="stable")[:k]] = True
    return chosen


def _nudge_to_mean(values: np.ndarray, target: float, low: int, high: int,
                   rng: np.random.Generator) -> np.ndarray:
    """Move single values by one point until the mean is the target as closely as ``n`` allows.

    Drawn values rarely hit a region's reported mean on a small sample; nudging keeps the draw's
    spread and its link with the experience items while the mean lands on target.
    """
    values = values.copy()
    diff = _round_half_up(target * len(values)) - int(values.sum())
    order = rng.permutation(len(values))
    while diff:
        moved = False
        for i in order:
            if diff > 0 and values[i] < high:
                values[i] += 1
                diff -= 1
                moved = True
            elif diff < 0 and values[i] > low:
                values[i] -= 1
                diff += 1
                moved = True
            if not diff:
                break
        if not moved:
            break
    return values


def _dates(rng: np.random.Generator, start: dt.date, end: dt.date, n: int) -> list[dt.date]:
    span = (end - start).days
    offsets = np.sort(rng.integers(0, span + 1, n))
    return [start + dt.timedelta(days=int(d)) for d in offsets]


def _window(rnd: RoundPlan, first: float, last: float) -> tuple[dt.date, dt.date]:
    """A part of the round's fieldwork period (fractions of the period)."""
    span = (rnd.end - rnd.start).days
    return (rnd.start + dt.timedelta(days=int(span * first)),
            rnd.start + dt.timedelta(days=int(span * last)))


def _ids(prefix: str, letter: str, n: int) -> list[str]:
    width = max(2, len(str(n)))
    return [f"{prefix}-{letter}{i:0{width}d}" for i in range(1, n + 1)]


def _yes(flag: bool) -> int:
    return 1 if flag else 0


class _Codes:
    """Answer key -> code for the columns of one instrument."""

    def __init__(self, instrument: Instrument):
        self.instrument = instrument

    def __call__(self, column: str, key: str | None) -> int | None:
        if key is None:
            return None
        return self.instrument.codes(column)[key]

    def options(self, item: str, chosen: Iterable[str]) -> dict[str, int]:
        """A multiple-choice item as its 0/1 option columns."""
        chosen = set(chosen)
        out = {}
        for column in self.instrument.columns_of(item):
            out[column.name] = _yes(column.option in chosen)
        unknown = chosen - {c.option for c in self.instrument.columns_of(item)}
        if unknown:
            raise KeyError(f"{self.instrument.id}.{item}: unknown options {sorted(unknown)}")
        return out


# -- invented texts (Dutch, written for this example; none is a real quote) ------------------------
_OPEN_SUPPORT = (
    "Dat er iemand naast me staat als het even niet gaat.",
    "De vaste afspraak in de week geeft me houvast.",
    "Dat ik zelf mag kiezen wat ik wil doen.",
    "De inloop: daar kan ik binnenlopen zonder afspraak.",
    "Mijn begeleider denkt mee over geld en post.",
    "Samen koken met anderen, dan zit ik niet alleen thuis.",
    "Dat ik mijn verhaal niet steeds opnieuw hoef te vertellen.",
    "Het werk in de werkplaats, ik voel me weer nuttig.",
)
_OPEN_IMPROVEMENT = (
    "Meer activiteiten in het weekend.",
    "Soms duurt het lang voordat er iets gebeurt.",
    "Ik zou meer mensen uit de buurt willen leren kennen.",
    "Minder wisselingen van begeleiders.",
    "Betere informatie over wat er allemaal is.",
    "Het vervoer naar de activiteiten is lastig.",
    "Niets, het is goed zo.",
)
_REMARKS = (
    "Cliënt heeft veel steun aan de inloop.",
    "Traject loopt nog; vervolgafspraak is gepland.",
    "Cliënt wil graag vrijwilligerswerk gaan doen.",
    "Contact verloopt wisselend, cliënt zegt soms af.",
    "Woonsituatie is inmiddels stabiel.",
    "Familie is op verzoek van cliënt betrokken.",
)
_PARTNER_STRENGTHS = (
    "Korte lijnen met de andere organisaties.",
    "We kennen elkaar nu en bellen sneller.",
    "Cliënten worden eerder gesignaleerd.",
    "Ervaringsdeskundigen brengen een ander perspectief in.",
    "Het overleg levert concrete oplossingen op.",
)
_PARTNER_BOTTLENECKS = (
    "Wisselende vertegenwoordiging vanuit sommige organisaties.",
    "Onzekere financiering na dit jaar.",
    "Weinig zicht op wat het oplevert.",
    "Bestuurders zijn nauwelijks betrokken.",
    "Het eigen netwerk van cliënten blijft buiten beeld.",
    "Privacyregels maken het overleg over cliënten lastig.",
)
#: One invented fragment per codebook theme, marked as fictitious.
_EXCERPTS = {
    "administrative/executive_commitment":
        "De directies hebben afgesproken dat hun medewerkers tijd krijgen voor de werktafel.",
    "administrative/continuity":
        "Zonder vaste financiering weten we niet of we volgend jaar nog bestaan.",
    "administrative/shared_vision":
        "Iedereen aan tafel vindt dat deze groep niet tussen wal en schip mag raken.",
    "administrative/clear_contributions":
        "Op papier staat precies wie welke uren en welk budget inbrengt.",
    "administrative/structural_consultation":
        "Een paar keer per jaar zitten de bestuurders bij elkaar om de koers te bewaken.",
    "executive/shorter_lines":
        "Ik bel nu gewoon de collega van de corporatie; vroeger ging dat via drie schijven.",
    "executive/knowledge_target_group":
        "Onze baliemedewerkers zien nu eerder dat iemand psychisch vastloopt.",
    "executive/knowledge_services":
        "Aan tafel hoorde ik voor het eerst van de tuinploeg in de wijk.",
    "executive/new_services":
        "Omdat er niets was voor de avonduren, zijn we zelf een stapavond begonnen.",
    "executive/informing_each_other":
        "Na elk overleg laten we elkaar weten wat er met de vragen is gebeurd.",
    "executive/insight_results":
        "Hoeveel mensen we echt verder helpen, weten we eigenlijk niet goed.",
    "executive/visibility":
        "Binnen mijn eigen organisatie weten veel collega's niet dat dit netwerk bestaat.",
    "executive/staff_commitment": "Het draait op een paar mensen die er echt hun hart in leggen.",
    "executive/peer_expertise":
        "De ervaringsdeskundige komt binnen waar wij als hulpverleners niet binnenkomen.",
    "executive/scale": "Op wijkniveau werkt het; voor de hele stad is het te groot.",
    "personal/referral_to_care":
        "Zij heeft me geholpen om bij de juiste instantie terecht te komen.",
    "personal/more_social_contacts":
        "Ik ken nu een paar mensen van de inloop met wie ik koffie drink.",
    "personal/personal_network":
        "We hebben samen opgeschreven wie ik kan bellen als het slecht gaat.",
    "personal/independence": "In de lotgenotengroep leer ik dingen zelf op te lossen.",
    "personal/peer_expertise":
        "Iemand die het zelf heeft meegemaakt, begrijpt me zonder veel uitleg.",
    "personal/flexible_support": "Als ik een slechte week heb, schuiven ze de afspraak gewoon op.",
    "personal/awareness_mss": "Ik wist niet dat dit bestond tot de buurvrouw erover vertelde.",
    "personal/low_threshold":
        "Ze kwam gewoon bij mij thuis langs, dat maakte de eerste stap makkelijk.",
    "conclusions/informal_network_underused":
        "Familie en buren worden bijna nooit bij het plan betrokken.",
    "conclusions/distinct_way_of_working":
        "Het verschil zit in de tijd die we nemen en dat we blijven komen.",
    "conclusions/stigma":
        "In de buurt wordt nog steeds met een boog om deze bewoners heen gelopen.",
    "conclusions/comprehensiveness":
        "Wonen, geld en dagbesteding hangen samen, dus we pakken het samen op.",
    "conclusions/administrative_level": "Zonder steun van bovenaf blijft het vrijblijvend.",
    "conclusions/target_groups_reach": "Mensen die zorg mijden, bereiken we nog nauwelijks.",
    "conclusions/funding": "Elk jaar is het weer afwachten of de subsidie doorgaat.",
}
_FICTIONAL = " (fictief)"


# ============================================================================================
# Instruments
# ============================================================================================
_RECORDS = list[dict[str, object]]


def client_interviews(rng: np.random.Generator, plan: RegionPlan, rnd: RoundPlan,
                      n: int, *, first: int = 1) -> _RECORDS:
    """Client interviews (cliëntinterviews) of one region: coded answers, some missing codes.

    ``first`` numbers the clients on from an earlier round's (new clients of a follow-up).
    """
    inst = get_instrument("client_interview")
    code = _Codes(inst)
    prof = plan.clients
    shares = prof["shares"]
    ids = _ids(plan.prefix, "C", n) if first == 1 else \
        _ids(plan.prefix, "C", first + n - 1)[first - 1:]
    dates = _dates(rng, *_window(rnd, 0.25, 0.85), n)
    satisfaction = rng.normal(size=n)   # drives the rating and the experience items together
    care = rng.normal(size=n)           # how much professional care a client has

    contact = _pick(rng, shares["contact_professional"], n, care)
    professional = {
        item: _pick(rng, shares[item], n, care, among=contact)
        for item in ("has_spv", "has_housing_support", "has_trajectory_counsellor",
                     "has_other_professional")
    }
    ever_treated = _pick(rng, shares["ever_treated_mhc"], n, care, among=contact)
    participation = {item: _pick(rng, shares[item], n)
                     for item in ("day_activities", "paid_work", "volunteering", "in_education",
                                  "peer_expert_contact")}

    ratings = np.clip(np.round(prof["rating"] + 0.9 * satisfaction + rng.normal(0, 0.5, n)),
                      5, 10).astype(int)
    ratings = _nudge_to_mean(ratings, prof["rating"], 5, 10, rng)

    experience_means = dict(exp_heard=4.1, exp_time=4.2, exp_staff_change=2.4, exp_wishes=3.9,
                            exp_reachable=3.9, exp_know_where=3.6)
    reversed_items = {item for item in experience_means if inst.column(item).reversed}
    for _attempt in range(200):
        # a small sample can by chance give items that hardly hang together; draw again until
        # the experience scale is as reliable as such scales are (alpha 0.75-0.9)
        experience = {}
        for item, mean in experience_means.items():
            sign = -1.0 if item in reversed_items else 1.0
            raw = mean + sign * 0.7 * satisfaction + rng.normal(0, 0.75, n)
            experience[item] = np.clip(np.round(raw), 1, 5).astype(int)
        if n < 4 or 0.75 <= _cronbach_alpha(experience, reversed_items) <= 0.9:
            break

    close, informal, general, specialised = (rng.poisson(lam, n) for lam in prof["network"])
    specialised = specialised + np.where(contact, 1, 0)

    routes = _choose(rng, prof["route"], n)
    referrers = _choose(rng, _REFERRER, n)
    change_score = satisfaction + rng.normal(0, 0.8, n)

    records: _RECORDS = []
    for i in range(n):
        route = routes[i]
        referred_by = {"own_initiative": "self", "via_relatives": "relatives"}.get(route,
                                                                                  referrers[i])
        rec: dict[str, object] = {
            "respondent_id": ids[i],
            "interview_date": dates[i],
            "interview_location": code("interview_location", _choose(
                rng, dict(home=5, mss=4, elsewhere=1), 1)[0]),
            "route": code("route", route),
            "referred_by": code("referred_by", referred_by),
            "age_band": code("age_band", _choose(
                rng, dict(under_25=0.08, age_25_39=0.30, age_40_54=0.40, age_55_plus=0.22), 1)[0]),
            "gender": code("gender", _choose(rng, dict(man=0.56, woman=0.44), 1)[0]),
            "living_situation": code("living_situation", _choose(
                rng, dict(alone=0.55, with_others=0.15, supported_housing=0.27,
                          no_fixed_home=0.03), 1)[0]),
            "education": code("education", _choose(
                rng, dict(primary=0.2, lower_secondary=0.4, upper_secondary=0.3, higher=0.1),
                1)[0]),
            "ever_treated_mhc": _yes(ever_treated[i]),
            "contact_professional": _yes(contact[i]),
            **{item: _yes(flags[i]) for item, flags in professional.items()},
            **{item: _yes(flags[i]) for item, flags in participation.items()},
            "mss_rating": int(ratings[i]),
            **{item: int(values[i]) for item, values in experience.items()},
            "social_contacts_change": code("social_contacts_change",
                                           "more" if change_score[i] > -0.1 else
                                           ("same" if change_score[i] > -1.6 else "fewer")),
            "network_close": int(close[i]),
            "network_informal": int(informal[i]),
            "network_general_services": int(general[i]),
            "network_specialised_care": int(specialised[i]),
        }
        for domain, need in _DOMAIN_NEED.items():
            if domain == "day_activities":
                need = max(need, shares["day_activities"])
            needed = rng.random() < need
            received = rng.random() < (0.8 if needed else 0.08)
            rec[f"support_needed_{domain}"] = _yes(needed)
            rec[f"support_received_{domain}"] = _yes(received)
            rec[f"support_enough_{domain}"] = (_yes(rng.random() < 0.75) if received
                                               else MISSING_NOT_APPLICABLE)
        needs = [k for k, p in dict(company=0.6, day_structure=0.55, paid_work=0.3, meaning=0.25,
                                    relationships=0.2).items() if rng.random() < p]
        rec.update(code.options("participation_needs", needs))
        if rng.random() < 0.5:
            rec["open_support"] = _OPEN_SUPPORT[int(rng.integers(len(_OPEN_SUPPORT)))]
        if rng.random() < 0.35:
            rec["open_improvement"] = _OPEN_IMPROVEMENT[int(rng.integers(len(_OPEN_IMPROVEMENT)))]
        records.append(rec)

    _sprinkle_missing(rng, records, n)
    _thin_informal_rings(records)
    return records


#: How the clients interviewed again differ from their first interview, on average: a
#: somewhat higher rating and experience, and a little more in the informal rings.
_FOLLOW_UP_CHANGE = dict(rating=0.6, experience=0.3, informal=0.6)
_EXPERIENCE_ITEMS = ("exp_heard", "exp_time", "exp_staff_change", "exp_wishes", "exp_reachable",
                     "exp_know_where")
_MISSING_CODES = {MISSING_NOT_APPLICABLE, MISSING_DONT_KNOW, MISSING_NO_ANSWER}


def followed_clients(rng: np.random.Generator, earlier: _RECORDS, rnd: RoundPlan) -> _RECORDS:
    """The second interview of clients interviewed before (a follow-up round).

    Each record keeps the client's respondent id (hence the pseudonym) and background (age band,
    gender, education, living situation, route); the rating, the experience items and the
    network rings move from the earlier answers by a personal change around
    :data:`_FOLLOW_UP_CHANGE`; a missing answer stays missing; open answers are not repeated.
    """
    inst = get_instrument("client_interview")
    n = len(earlier)
    dates = _dates(rng, *_window(rnd, 0.2, 0.8), n)
    out: _RECORDS = []
    for i, old in enumerate(earlier):
        rec = {k: v for k, v in old.items() if not k.startswith("open_")}
        rec["interview_date"] = dates[i]
        personal = rng.normal(0, 0.6)

        def moved(value: object, shift: float, low: int, high: int) -> object:
            if not isinstance(value, (int, np.integer)) or int(value) in _MISSING_CODES:
                return value
            return int(np.clip(round(int(value) + shift), low, high))

        rec["mss_rating"] = moved(old["mss_rating"],
                                  _FOLLOW_UP_CHANGE["rating"] + personal + rng.normal(0, 0.4),
                                  1, 10)
        for item in _EXPERIENCE_ITEMS:
            sign = -1.0 if inst.column(item).reversed else 1.0
            rec[item] = moved(old[item], sign * (_FOLLOW_UP_CHANGE["experience"] + 0.5 * personal)
                              + rng.normal(0, 0.5), 1, 5)
        for ring in _RINGS_INFORMAL:
            rec[ring] = moved(old[ring], rng.poisson(_FOLLOW_UP_CHANGE["informal"]), 0, 99)
        for ring in _RINGS_PROFESSIONAL:
            rec[ring] = moved(old[ring], rng.integers(-1, 2), 0, 99)
        out.append(rec)
    return out


def _cronbach_alpha(items: Mapping[str, np.ndarray], reversed_items: set[str]) -> float:
    """Cronbach's alpha of 1-5 items (reversed ones turned round), complete answers only."""
    matrix = np.column_stack([6 - v if k in reversed_items else v for k, v in items.items()])
    k = matrix.shape[1]
    total = matrix.sum(axis=1).var(ddof=1)
    if total == 0:
        return 0.0
    return k / (k - 1) * (1 - matrix.var(axis=0, ddof=1).sum() / total)


def _sprinkle_missing(rng: np.random.Generator, records: _RECORDS, n: int) -> None:
    """A few 'don't know' / 'no answer' codes, as real interviews have; never in the rating or
    the professional items, and at most one experience item per respondent (so that the
    experience scale can still be scored)."""
    experience = ["exp_heard", "exp_time", "exp_staff_change", "exp_wishes", "exp_reachable",
                  "exp_know_where"]
    who = rng.permutation(n)[: max(1, n // 6)]
    for i in who:
        item = experience[int(rng.integers(len(experience)))]
        records[i][item] = MISSING_DONT_KNOW if rng.random() < 0.6 else MISSING_NO_ANSWER
    if n >= 8:
        records[int(rng.integers(n))]["education"] = MISSING_NO_ANSWER
        records[int(rng.integers(n))]["social_contacts_change"] = MISSING_DONT_KNOW
    if n >= 12:
        records[int(rng.integers(n))]["network_informal"] = MISSING_NO_ANSWER


_RINGS_INFORMAL = ("network_close", "network_informal")
_RINGS_PROFESSIONAL = ("network_general_services", "network_specialised_care")


def _ring_mean(records: _RECORDS, column: str) -> float:
    values = [r[column] for r in records if isinstance(r[column], int) and r[column] <= 50]
    return float(np.mean(values)) if values else 0.0


def _thin_informal_rings(records: _RECORDS) -> None:
    """Make sure the informal rings are clearly thinner than the professional ones (by at least
    one person on average), as the interim report found in every region."""
    i = 0
    while (sum(_ring_mean(records, c) for c in _RINGS_INFORMAL) + 1.0
           > sum(_ring_mean(records, c) for c in _RINGS_PROFESSIONAL)):
        rec = records[i % len(records)]
        rec["network_specialised_care"] = min(50, int(rec["network_specialised_care"]) + 1)
        i += 1


def client_questionnaires(rng: np.random.Generator, plan: RegionPlan, rnd: RoundPlan,
                          n: int) -> _RECORDS:
    """Questionnaires filled in by professionals about individual clients."""
    inst = get_instrument("client_questionnaire")
    code = _Codes(inst)
    prof = plan.questionnaire
    frequency_keys = inst.answer_sets["contact_frequency"].keys()
    low, high = (frequency_keys.index(k) for k in prof["frequency"])
    frequencies = [frequency_keys[int(k)] for k in rng.integers(low, high + 1, n)]
    if n >= 2:  # the report names the range, so both ends occur
        frequencies[0], frequencies[-1] = frequency_keys[low], frequency_keys[high]
    m_low, m_high = prof["months"]
    months = [int(m) for m in rng.integers(m_low, m_high + 1, n)]
    if n >= 2:
        months[int(np.argmax(months))] = m_high
    if prof["months_unknown"] and n >= 3:
        months[1] = 998
    to_table = _pick(rng, prof["case_table"], n)
    records: _RECORDS = []
    for i, client_id in enumerate(_ids(plan.prefix, "Q", n)):
        rec: dict[str, object] = {
            "client_id": client_id,
            "completed_by_role": code("completed_by_role", _choose(rng, prof["roles"], 1)[0]),
            "signalled_by": code("signalled_by", _choose(
                rng, {**_REFERRER, "relatives": 1, "police": 0.5}, 1)[0]),
            "reason": code("reason", _choose(
                rng, dict(isolation=4, housing_problems=2, no_day_structure=3,
                          financial_problems=1.5, care_avoidance=1, other=0.5), 1)[0]),
            "brought_to_case_table": _yes(to_table[i]),
            "contact_frequency": code("contact_frequency", frequencies[i]),
            "months_in_contact": months[i],
        }
        for domain, need in _DOMAIN_NEED.items():
            given = rng.random() < need
            rec[f"support_given_{domain}"] = _yes(given)
            rec[f"support_enough_{domain}"] = (_yes(rng.random() < 0.7) if given
                                               else MISSING_NOT_APPLICABLE)
        rec.update(code.options("other_care", [
            k for k, p in dict(mental_health_care=0.75, addiction_care=0.1,
                               general_practitioner=0.5, home_care=0.1,
                               social_work=0.25).items() if rng.random() < p]))
        outcomes = [k for k, p in prof["outcomes"].items()
                    if k != "none_yet" and rng.random() < p]
        rec.update(code.options("outcome", outcomes or ["none_yet"]))
        if rng.random() < 0.3:
            rec["remarks"] = _REMARKS[int(rng.integers(len(_REMARKS)))]
        records.append(rec)
    return records


# -- organisations --------------------------------------------------------------------------------
_ORGANISATION_NAMES = {
    "client_organisation": "Cliëntenplatform {stem}",
    "family_organisation": "Familievereniging {stem}",
    "client_initiative": "Herstelcafé {stem}",
    "residents_organisation": "Bewonersvereniging {stem}",
    "wmo_council": "Wmo-raad {stem}",
    "buddy_project": "Maatjesproject {stem}",
    "volunteer_centre": "Vrijwilligerspunt {stem}",
    "housing_corporation": "Woonstichting {stem}",
    "municipality": "Gemeentedienst Zorg en Welzijn {stem}",
    "health_insurer": "Zorgverzekeraar {stem}",
    "fund": "Fonds {stem}",
    "mental_health_care": "GGZ {stem}",
    "addiction_care": "Verslavingszorg {stem}",
    "mee": "Cliëntondersteuning {stem}",
    "sheltered_housing": "Beschermd Wonen {stem}",
    "home_care": "Thuiszorg {stem}",
    "shelter": "Opvanghuis {stem}",
    "ggd": "Gezondheidsdienst {stem}",
    "social_work": "Maatschappelijk Werk {stem}",
    "reintegration": "Werkwinkel {stem}",
    "police": "Politie wijkteam {stem}",
    "welfare_work": "Welzijn {stem}",
    "social_services": "Sociale Dienst {stem}",
    "wmo_desk": "Wmo-loket {stem}",
}
_TYPE_GROUP = {
    **dict.fromkeys(("client_organisation", "family_organisation", "client_initiative"),
                    "clients_relatives"),
    **dict.fromkeys(("residents_organisation", "wmo_council", "buddy_project",
                     "volunteer_centre", "housing_corporation"), "civil_society"),
    **dict.fromkeys(("municipality", "health_insurer", "fund"), "government_funders"),
}
#: Every MSS has these partners; the others are drawn per region.
_CORE_TYPES = ("mental_health_care", "welfare_work", "municipality", "housing_corporation",
               "client_organisation", "sheltered_housing", "social_work")


@dataclass(frozen=True)
class Organisation:
    name: str
    type: str

    @property
    def group(self) -> str:
        return _TYPE_GROUP.get(self.type, "care_services")


def organisations(seed: int, plan: RegionPlan) -> list[Organisation]:
    """The region's (fictitious) collaboration partners."""
    rng = _rng(seed, "organisations", plan.id)
    others = [t for t in _ORGANISATION_NAMES if t not in _CORE_TYPES]
    extra = [others[int(i)] for i in rng.choice(len(others), size=7, replace=False)]
    return [Organisation(_ORGANISATION_NAMES[t].format(stem=plan.stem) + _FICTIONAL, t)
            for t in (*_CORE_TYPES, *extra)]


_GROUP_WEIGHT = dict(care_services=3.0, government_funders=1.5, civil_society=1.5,
                     clients_relatives=1.0)


def partner_survey(rng: np.random.Generator, plan: RegionPlan, orgs: Sequence[Organisation],
                   n: int) -> _RECORDS:
    """The partner survey: collaboration-quality items (1-5), results rating, open answers."""
    inst = get_instrument("partner_survey")
    code = _Codes(inst)
    weights = np.array([_GROUP_WEIGHT[o.group] for o in orgs])
    order: list[Organisation] = []
    while len(order) < n:  # every organisation once before any twice
        picked = rng.choice(len(orgs), size=len(orgs), replace=False, p=weights / weights.sum())
        order += [orgs[int(i)] for i in picked]
    person = rng.normal(size=n)
    scales = plan.partners["scales"]
    records: _RECORDS = []
    for i, respondent_id in enumerate(_ids(plan.prefix, "S", n)):
        org = order[i]
        administrative = org.group == "government_funders" or rng.random() < 0.2
        rec: dict[str, object] = {
            "respondent_id": respondent_id,
            "organisation": org.name,
            "organisation_group": code("organisation_group", org.group),
            "organisation_type": code("organisation_type", org.type),
            "level": code("level", "administrative" if administrative else "executive"),
        }
        for column in inst.columns:
            if column.scale is None:
                continue
            # items of one scale share a respondent-specific component, so that two-item scales
            # hang together as real ones do; drawn from a generator of its own so the other
            # values of the study stay as they were
            own = np.random.default_rng(zlib.crc32(f"{respondent_id}/{column.scale}".encode()))
            raw = (scales[column.scale] + 0.5 * person[i] + 0.8 * own.normal()
                   + rng.normal(0, 0.7) * 0.45)
            value = int(np.clip(round(raw), 1, 5))
            rec[column.name] = 6 - value if column.reversed else value
        rec["results_rating"] = int(np.clip(round(plan.partners["results"] + 0.7 * person[i]
                                                  + rng.normal(0, 0.6)), 3, 10))
        if rng.random() < 0.6:
            rec["open_strengths"] = _PARTNER_STRENGTHS[int(rng.integers(len(_PARTNER_STRENGTHS)))]
        if rng.random() < 0.5:
            rec["open_bottlenecks"] = _PARTNER_BOTTLENECKS[
                int(rng.integers(len(_PARTNER_BOTTLENECKS)))]
        records.append(rec)
    if n >= 4:  # someone did not know about peer experts
        records[int(rng.integers(n))]["cq_peer_expertise_2"] = MISSING_DONT_KNOW
    return records


def partner_ties(rng: np.random.Generator, plan: RegionPlan, orgs: Sequence[Organisation],
                 survey: _RECORDS) -> _RECORDS:
    """The network question of the partner survey: several partner organisations per respondent."""
    inst = get_instrument("partner_ties")
    code = _Codes(inst)
    by_name = {o.name: o for o in orgs}
    # case tables meeting monthly make monthly contact the norm in Den Haag
    frequency = ({"quarterly": 1, "monthly": 4, "fortnightly": 2, "weekly": 1}
                 if plan.governance["case_table_frequency"] == "monthly"
                 and plan.governance["case_tables"] >= 5 else
                 {"yearly": 1, "quarterly": 3, "bimonthly": 2, "monthly": 2, "weekly": 1})
    records: _RECORDS = []
    for respondent in survey:
        own = by_name[str(respondent["organisation"])]
        others = [o for o in orgs if o != own]
        weights = np.array([_GROUP_WEIGHT[o.group] for o in others])
        k = min(len(others), int(rng.integers(3, 8)))
        for j in rng.choice(len(others), size=k, replace=False, p=weights / weights.sum()):
            partner = others[int(j)]
            records.append({
                "respondent_id": respondent["respondent_id"],
                "partner_organisation": partner.name,
                "partner_group": code("partner_group", partner.group),
                "frequency": code("frequency", _choose(rng, frequency, 1)[0]),
            })
    return records


def interview_register(rng: np.random.Generator, plan: RegionPlan, rnd: RoundPlan,
                       n_general: int, n_partner: int) -> _RECORDS:
    """The register of general and partner interviews (counts of Table 1)."""
    code = _Codes(get_instrument("interview_register"))
    records: _RECORDS = []
    general_roles = dict(table_coordinator=2, programme_coordinator=1, kwartiermaker=2,
                         peer_expert=1, project_leader=1, spv=1, trajectory_counsellor=1)
    for respondent_id, date in zip(_ids(plan.prefix, "A", n_general),
                                   _dates(rng, *_window(rnd, 0.0, 0.35), n_general)):
        records.append({
            "respondent_id": respondent_id, "kind": code("kind", "general"),
            "role": code("role", _choose(rng, general_roles, 1)[0]),
            "organisation_group": code("organisation_group", _choose(
                rng, dict(care_services=5, government_funders=1, civil_society=1), 1)[0]),
            "interview_date": date,
        })
    partner_roles = dict(manager=3, alderman_or_official=1, housing_support_worker=1,
                         project_leader=1, other=2)
    for respondent_id, date in zip(_ids(plan.prefix, "P", n_partner),
                                   _dates(rng, *_window(rnd, 0.15, 0.7), n_partner)):
        records.append({
            "respondent_id": respondent_id, "kind": code("kind", "partner"),
            "role": code("role", _choose(rng, partner_roles, 1)[0]),
            "organisation_group": code("organisation_group", _choose(rng, _GROUP_WEIGHT, 1)[0]),
            "interview_date": date,
        })
    return records


def feedback_meeting(rng: np.random.Generator, n: int) -> _RECORDS:
    code = _Codes(get_instrument("feedback_meeting"))
    groups = _choose(rng, dict(care_services=6, government_funders=1.5, civil_society=2,
                               clients_relatives=1.5), n)
    return [{"attendee_number": i + 1,
             "organisation_group": code("organisation_group", g),
             "level": code("level", "administrative" if rng.random() < 0.2 else "executive")}
            for i, g in enumerate(groups)]


def _theme_weights(plan: RegionPlan, kinds: Iterable[str] | None = None) -> dict[str, float]:
    """Codebook themes weighted for a region: a covenant region talks about structural
    consultation, the others about the missing administrative level and continuity."""
    weights = {}
    for path in codebook().paths():
        level = path.split("/")[0]
        w = 1.0
        if kinds is not None and level not in kinds:
            w = 0.15
        if plan.governance["covenant"]:
            if path in ("administrative/structural_consultation",
                        "administrative/executive_commitment"):
                w *= 3
        elif path in ("conclusions/administrative_level", "administrative/continuity",
                      "conclusions/funding"):
            w *= 3
        if path in ("conclusions/informal_network_underused", "executive/shorter_lines",
                    "personal/more_social_contacts"):
            w *= 2
        weights[path] = w
    return weights


def feedback_findings(rng: np.random.Generator, plan: RegionPlan, n: int) -> _RECORDS:
    code = _Codes(get_instrument("feedback_findings"))
    weights = _theme_weights(plan)
    paths = list(weights)
    p = np.array([weights[t] for t in paths])
    chosen = rng.choice(len(paths), size=min(n, len(paths)), replace=False, p=p / p.sum())
    return [{"finding_number": i + 1, "theme": paths[int(j)],
             "recognition": code("recognition", _choose(
                 rng, dict(recognised=0.65, partly=0.28, not_recognised=0.07), 1)[0])}
            for i, j in enumerate(chosen)]


def governance_profile(plan: RegionPlan) -> _RECORDS:
    """One row: the administrative set-up of the region's MSS."""
    code = _Codes(get_instrument("governance_profile"))
    g = plan.governance
    rec: dict[str, object] = {
        "covenant": g["covenant"], "covenant_year": g["covenant_year"],
        "steering_group": g["steering_group"],
        "steering_group_frequency": code("steering_group_frequency",
                                         g["steering_group_frequency"]),
        "case_tables": g["case_tables"],
        "case_table_frequency": code("case_table_frequency", g["case_table_frequency"]),
        "performance_agreement": g["performance_agreement"],
        "agreed_referrals_per_table": g["agreed_referrals_per_table"],
        "privacy_regulation": g["privacy_regulation"],
        "coordinator": code("coordinator", g["coordinator"]),
        "structural_consultation": g["structural_consultation"],
    }
    if g["steering_group"]:  # members are blank (not 'no') when there is no steering group
        rec.update(code.options("steering_group_members", g["steering_group_members"]))
    rec.update(code.options("funding", g["funding"]))
    return [rec]


# -- the MSS's own register ---------------------------------------------------------------------
_REFERRER_GROUP = dict(self="clients_relatives", relatives="clients_relatives",
                       mental_health_care="care_services", general_practitioner="care_services",
                       social_work="care_services", housing_corporation="civil_society",
                       police="care_services", municipality="government_funders",
                       sheltered_housing="care_services", other="civil_society")
_OUTCOME_DOMAIN = dict(day_activities="day_activities", work="work", housing="housing",
                       social_contacts="social_contacts", care="social_contacts",
                       finances="finances", none_yet=None)


def monitor_register(rng: np.random.Generator, plan: RegionPlan) -> _RECORDS:
    """The MSS's registration of referrals (per case table) or outreach contacts.

    In Den Haag every case table has a number of referrals to day activities around the agreed 25
    per year, so the performance comparison has tables above and below the agreement.
    """
    m = plan.monitor
    scale = float(m.get("scale", 1.0))
    events: list[dict] = []  # date, table, outcome, new client or not
    if "outreach_per_week" in m:
        weeks = max(1, (m["end"] - m["start"]).days // 7)
        table = next(iter(m["tables"]))
        for week in range(weeks):
            week_start = m["start"] + dt.timedelta(weeks=week)
            per_week = m["outreach_per_week"]
            new = _round_half_up(scale * int(rng.choice([per_week - 1, per_week, per_week,
                                                          per_week + 1])))
            for _ in range(new):
                day = week_start + dt.timedelta(days=int(rng.integers(0, 5)))
                events.append(dict(date=day, table=table, new=True, outcome=_choose(
                    rng, dict(care=3, social_contacts=3, none_yet=3, housing=1, finances=1,
                              day_activities=1), 1)[0]))
                if rng.random() < m["follow_up"]:
                    later = day + dt.timedelta(days=int(rng.integers(7, 42)))
                    if later <= m["end"]:
                        events.append(dict(date=later, table=table, new=False, outcome=_choose(
                            rng, dict(care=2, day_activities=2, social_contacts=2,
                                      none_yet=1), 1)[0]))
    else:
        outcomes_other = dict(work=2, housing=2, social_contacts=4, care=3, finances=2,
                              none_yet=2)
        tables = list(m["tables"])
        per_table: list[tuple[str, str]] = []
        for table, day_referrals in m["tables"].items():
            if day_referrals is not None:
                per_table += [(table, "day_activities")] * _scaled(day_referrals, scale, 0)
                per_table += [(table, o) for o in _choose(
                    rng, outcomes_other, _scaled(m["other_per_table"], scale, 0))]
        if not per_table:
            n = _scaled(m["rows"], scale)
            per_table = list(zip(_choose(rng, dict.fromkeys(tables, 1.0), n),
                                 _choose(rng, {**outcomes_other, "day_activities": 4}, n)))
        span = (m["end"] - m["start"]).days
        for table, outcome in per_table:
            events.append(dict(date=m["start"] + dt.timedelta(days=int(rng.integers(0, span + 1))),
                               table=table, new=rng.random() < m["new_client"], outcome=outcome))
    events.sort(key=lambda e: (e["date"], e["table"]))

    code = _Codes(get_instrument("monitor_register"))
    clients: dict[str, list[str]] = {}
    n_clients = 0
    records: _RECORDS = []
    for number, event in enumerate(events, start=1):
        seen = clients.setdefault(event["table"], [])
        if event["new"] or not seen:
            n_clients += 1
            client_id = f"{plan.prefix}-M{n_clients:03d}"
            seen.append(client_id)
        else:
            client_id = seen[int(rng.integers(len(seen)))]
        referrer = _choose(rng, {**_REFERRER, "self": 1, "relatives": 1}, 1)[0]
        domain = _OUTCOME_DOMAIN[event["outcome"]] or _choose(rng, dict(
            social_contacts=3, housing=1, finances=1, day_activities=1), 1)[0]
        if event["outcome"] == "day_activities" and rng.random() < 0.2:
            domain = "social_contacts"  # a wish for company often ends in day activities
        records.append({
            "registration_number": 1000 + number,
            "client_id": client_id,
            "date": event["date"],
            "case_table": event["table"],
            "referrer_group": code("referrer_group", _REFERRER_GROUP[referrer]),
            "referrer": code("referrer", referrer),
            "life_domain": code("life_domain", domain),
            "outcome": code("outcome", event["outcome"]),
        })
    return records


# -- the social map -----------------------------------------------------------------------------
#: name, organisation type, activity type, wheel goal, life domains, target groups, how common.
_SERVICES = (
    ("Inloophuis {stem}", "welfare_work", "group", "social_contacts",
     ("social_contacts", "leisure"), ("psychiatric_vulnerability", "all_residents"), 1.0),
    ("Buurtkamer {stem}", "welfare_work", "group", "social_contacts",
     ("social_contacts",), ("all_residents",), 1.0),
    ("Maatjesproject {stem}", "buddy_project", "individual", "social_contacts",
     ("social_contacts", "leisure"), ("psychiatric_vulnerability",), 0.9),
    ("Stapavond {stem}", "client_initiative", "group", "social_contacts",
     ("leisure", "social_contacts"), ("psychiatric_vulnerability",), 0.6),
    ("Werkplaats {stem}", "mental_health_care", "group", "contributing",
     ("day_activities", "social_contacts"), ("psychiatric_vulnerability",), 1.0),
    ("Dagactiviteitencentrum {stem}", "sheltered_housing", "group", "taking_part",
     ("day_activities",), ("psychiatric_vulnerability",), 1.0),
    ("Tuinproject {stem}", "welfare_work", "group", "contributing",
     ("day_activities", "leisure"), ("psychiatric_vulnerability", "all_residents"), 0.7),
    ("Fietsenwerkplaats {stem}", "reintegration", "group", "learning_skills",
     ("day_activities", "work"), ("psychiatric_vulnerability", "addiction"), 0.6),
    ("Jobcoaching {stem}", "reintegration", "individual", "paid_work",
     ("work",), ("psychiatric_vulnerability",), 0.7),
    ("Vrijwilligersvacaturebank {stem}", "volunteer_centre", "individual", "contributing",
     ("work", "day_activities"), ("all_residents",), 0.8),
    ("Woonbegeleiding {stem}", "sheltered_housing", "individual", "independent_functioning",
     ("housing",), ("psychiatric_vulnerability",), 1.0),
    ("Wooncoaching {stem}", "housing_corporation", "individual", "independent_functioning",
     ("housing",), ("all_residents",), 0.6),
    ("Schuldhulpmaatje {stem}", "social_work", "individual", "independent_functioning",
     ("finances",), ("all_residents",), 0.9),
    ("Administratieservice {stem}", "welfare_work", "individual", "independent_functioning",
     ("finances",), ("all_residents",), 0.6),
    ("Trajectbegeleiding {stem}", "mental_health_care", "individual", "taking_part",
     ("day_activities", "work", "housing"), ("psychiatric_vulnerability",), 0.8),
    ("Herstelgroep {stem}", "client_organisation", "group", "independent_functioning",
     ("social_contacts",), ("psychiatric_vulnerability",), 0.7),
    ("Lotgenotengroep {stem}", "client_initiative", "group", "social_contacts",
     ("social_contacts",), ("psychiatric_vulnerability", "addiction"), 0.7),
    ("Kwartiermaken in de wijk {stem}", "welfare_work", "environment", "taking_part",
     ("social_contacts", "leisure"), ("all_residents",), 0.8),
    ("Anti-stigmafestival {stem}", "client_organisation", "environment", "taking_part",
     ("leisure",), ("all_residents",), 0.4),
    ("Sportgroep {stem}", "welfare_work", "group", "taking_part",
     ("leisure",), ("psychiatric_vulnerability",), 0.7),
    ("Wijkrestaurant {stem}", "welfare_work", "group", "social_contacts",
     ("social_contacts", "day_activities"), ("all_residents",), 0.6),
    ("Outreachend team {stem}", "mental_health_care", "individual", "independent_functioning",
     ("housing", "social_contacts"), ("psychiatric_vulnerability", "homeless"), 0.7),
    ("Nachtopvang {stem}", "shelter", "individual", "independent_functioning",
     ("housing",), ("homeless", "addiction"), 0.5),
    ("Bouwgroep {stem}", "client_initiative", "group", "learning_skills",
     ("social_contacts", "day_activities"), ("psychiatric_vulnerability",), 0.5),
    ("Wmo-loket {stem}", "wmo_desk", "individual", "independent_functioning",
     ("housing", "finances"), ("all_residents",), 0.8),
    ("Ontmoetingsgroep voor naasten {stem}", "family_organisation", "group", "social_contacts",
     ("social_contacts",), ("all_residents",), 0.5),
    # culture and education are thinly supplied: the 'white spots' of the supply analysis
    ("Computercursus {stem}", "welfare_work", "group", "learning_skills",
     ("education",), ("all_residents",), 0.3),
    ("Museumbezoek met begeleiding {stem}", "volunteer_centre", "group", "taking_part",
     ("culture", "leisure"), ("psychiatric_vulnerability",), 0.25),
)


def social_map(rng: np.random.Generator, plan: RegionPlan, n: int) -> _RECORDS:
    """Services in the region; culture and education have little supply (white spots)."""
    inst = get_instrument("social_map")
    code = _Codes(inst)
    commonness = np.array([s[-1] for s in _SERVICES])
    keys = rng.random(len(_SERVICES)) ** (1.0 / commonness)  # weighted order without replacement
    order = list(np.argsort(-keys, kind="stable"))
    picks = [order[i % len(order)] for i in range(n)]
    records: _RECORDS = []
    for k, idx in enumerate(picks):
        name, org_type, activity, goal, domains, targets, _ = _SERVICES[int(idx)]
        label = name.format(stem=plan.stem)
        if k >= len(order):  # a second location of the same kind of service
            label += f" {k // len(order) + 1}"
        rec: dict[str, object] = {
            "service_name": label + _FICTIONAL,
            "organisation_group": code("organisation_group", _TYPE_GROUP.get(org_type,
                                                                             "care_services")),
            "activity_type": code("activity_type", activity),
            "wheel_goal": code("wheel_goal", goal),
            "accessible": _yes(rng.random() < 0.85),
        }
        rec.update(code.options("life_domains", domains))
        rec.update(code.options("target_groups", targets))
        records.append(rec)
    return records


# -- qualitative coding ---------------------------------------------------------------------------
_SOURCE_LEVELS = {
    "general_interview": ("administrative", "executive", "conclusions"),
    "partner_interview": ("administrative", "executive"),
    "client_interview": ("personal",),
    "feedback_meeting": ("conclusions", "executive"),
    "document": ("administrative", "executive"),
}
_CODERS = ("codeur_1", "codeur_2")


def coded_segments(rng: np.random.Generator, plan: RegionPlan, factor: float) -> _RECORDS:
    """Coded interview segments; two coders on a subset of sources (for intercoder agreement)."""
    counts = plan.counts
    sources: list[tuple[str, str]] = []
    sources += [(s, "general_interview") for s in
                _ids(plan.prefix, "A", counts["general"])[: _scaled(3, factor)]]
    sources += [(s, "partner_interview") for s in
                _ids(plan.prefix, "P", counts["partner"])[: _scaled(4, factor)]]
    sources += [(s, "client_interview") for s in
                _ids(plan.prefix, "C", counts["clients"])[: _scaled(4, factor)]]
    # the feedback meeting's notes: the plenary part and the discussion in small groups
    sources += [(f"{plan.prefix}-TB{i}", "feedback_meeting")
                for i in range(1, _scaled(2, factor) + 1)]
    sources += [(f"{plan.prefix}-DOC{i}", "document") for i in range(1, _scaled(2, factor) + 1)]
    double_coded = set()
    for kind in ("general_interview", "partner_interview", "client_interview"):
        first = [s for s, k in sources if k == kind]
        double_coded.update(first[:2] if kind == "partner_interview" else first[:1])

    code = _Codes(get_instrument("coded_segments"))
    records: _RECORDS = []
    for source_id, kind in sources:
        weights = _theme_weights(plan, _SOURCE_LEVELS[kind])
        paths = list(weights)
        p = np.array([weights[t] for t in paths])
        p = p / p.sum()
        position = int(rng.integers(200, 800))
        segments = []
        for _ in range(int(rng.integers(4, 10))):
            path = paths[int(rng.choice(len(paths), p=p))]
            length = int(rng.integers(80, 600))
            segments.append((position, position + length, path))
            position += length + int(rng.integers(50, 1500))
        for start, end, path in segments:
            records.append(dict(source_id=source_id, source_kind=code("source_kind", kind),
                                code=path, coder=_CODERS[0], start=start, end=end,
                                excerpt="[fictief] " + _EXCERPTS[path]))
        if source_id in double_coded:
            for start, end, path in segments:
                if rng.random() < 0.2:  # the second coder chose another theme of the same level
                    level = path.split("/")[0]
                    same_level = [t for t in paths if t.startswith(level + "/") and t != path]
                    path = same_level[int(rng.integers(len(same_level)))]
                records.append(dict(source_id=source_id, source_kind=code("source_kind", kind),
                                    code=path, coder=_CODERS[1], start=start, end=end))
    for i, rec in enumerate(records, start=1):
        rec["segment_id"] = f"{plan.prefix}-SEG{i:03d}"
    return records


# ============================================================================================
# Writing files as regions send them
# ============================================================================================
_SUFFIX = {"csv": ".csv", "csv_bom": ".csv", "csv_nl": ".csv", "xlsx": ".xlsx", "sav": ".sav"}


def _as_label(column: Column, value: object, capitalise: bool) -> object:
    """A coded value as the answer label a researcher would type (missing codes stay numbers)."""
    if column.answers is None or not isinstance(value, int):
        return value
    answer = column.answers.by_code().get(value)
    if answer is None:
        return value
    text = answer.label.nl
    return text[:1].upper() + text[1:] if capitalise else text


def _table(instrument: Instrument, records: _RECORDS, labels: bool | None) -> list[list[object]]:
    columns = instrument.columns
    unknown = {k for r in records for k in r} - {c.name for c in columns}
    if unknown:
        raise KeyError(f"{instrument.id}: generated columns not in the instrument: "
                       f"{sorted(unknown)}")
    rows = []
    for rec in records:
        row = []
        for column in columns:
            value = rec.get(column.name)
            if labels is not None:
                value = _as_label(column, value, capitalise=labels)
            row.append(value)
        rows.append(row)
    return rows


def _csv_text(value: object, dutch: bool) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return f"{value.day}-{value.month}-{value.year}" if dutch else value.isoformat()
    if isinstance(value, float):
        text = repr(value)
        return text.replace(".", ",") if dutch else text
    return str(value)


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[object]], fmt: str) -> bytes:
    """CSV as regions send it: ``csv`` (comma, UTF-8), ``csv_bom`` (Excel's 'CSV UTF-8') or
    ``csv_nl`` (Dutch Excel: semicolons, decimal commas, d-m-yyyy dates, Windows-1252)."""
    dutch = fmt == "csv_nl"
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=";" if dutch else ",", lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_csv_text(v, dutch) for v in row])
    text = buffer.getvalue()
    if dutch:
        return text.encode("cp1252")
    return (("\ufeff" if fmt == "csv_bom" else "") + text).encode("utf-8")


def xlsx_bytes(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    """An Excel workbook with the data on a sheet named ``gegevens``; fixed timestamps."""
    import openpyxl
    from openpyxl.styles import Font

    from ..templates import reproducible_xlsx_bytes

    wb = openpyxl.Workbook()
    wb.properties.creator = "mss-eval voorbeeldstudie"
    wb.properties.created = FIXED_DATETIME
    wb.properties.modified = FIXED_DATETIME
    ws = wb.active
    ws.title = "gegevens"
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append(list(row))
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, dt.datetime | dt.date):
                cell.number_format = "d-m-yyyy"
    return reproducible_xlsx_bytes(wb)


_SAV_TIMESTAMP = (92, b"01 Jan 10", b"00:00:00")  # offset of creation date + time in the header


def sav_bytes(instrument: Instrument, records: _RECORDS) -> bytes:
    """An SPSS file: codes with value labels, missing codes declared user-missing, Dutch
    variable labels; the creation time in the header is fixed."""
    import pandas as pd
    import pyreadstat

    data: dict[str, object] = {}
    value_labels: dict[str, dict[float, str]] = {}
    missing: dict[str, list] = {}
    measure: dict[str, str] = {}
    formats: dict[str, str] = {}
    for column in instrument.columns:
        values = [rec.get(column.name) for rec in records]
        if column.type in ("identifier", "text"):
            data[column.name] = pd.Series(["" if v is None else str(v) for v in values],
                                          dtype=object)
            measure[column.name] = "nominal"
            continue
        if column.type == "date":
            # date objects (not datetime64, which pyreadstat misreads below nanoseconds) give
            # SPSS's DATE11 format
            data[column.name] = pd.Series(values, dtype=object)
            measure[column.name] = "scale"
            continue
        data[column.name] = pd.Series([np.nan if v is None else float(v) for v in values],
                                      dtype="float64")
        formats[column.name] = "F8.0"
        if column.answers is not None:
            value_labels[column.name] = {float(a.code): a.label.nl for a in column.answers.answers}
            measure[column.name] = "ordinal" if column.answers.ordered else "nominal"
        else:
            measure[column.name] = "scale"
        if column.missing:
            codes = sorted(column.missing)
            value_labels.setdefault(column.name, {}).update(
                {float(c): t.nl for c, t in column.missing.items()})
            if codes == list(range(codes[0], codes[-1] + 1)) and len(codes) > 1:
                missing[column.name] = [{"lo": float(codes[0]), "hi": float(codes[-1])}]
            else:
                missing[column.name] = [float(c) for c in codes[:3]]
    frame = pd.DataFrame(data)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"{instrument.id}.sav"
        pyreadstat.write_sav(
            frame, str(path), file_label=instrument.title.nl[:64],
            column_labels={c.name: c.label.nl[:255] for c in instrument.columns},
            variable_value_labels=value_labels, missing_ranges=missing,
            variable_measure=measure, variable_format=formats)
        raw = bytearray(path.read_bytes())
    offset, date, time = _SAV_TIMESTAMP
    if raw[:4] in (b"$FL2", b"$FL3"):
        raw[offset:offset + 9] = date
        raw[offset + 9:offset + 17] = time
    return bytes(raw)


def data_file_bytes(instrument: Instrument, records: _RECORDS, fmt: str,
                    labels: bool | None = None) -> bytes:
    """The bytes of one data file in a given format (``labels``: write answer labels instead of
    codes, capitalised when True)."""
    if fmt == "sav":
        return sav_bytes(instrument, records)
    header = [c.name for c in instrument.columns]
    rows = _table(instrument, records, labels)
    if fmt == "xlsx":
        return xlsx_bytes(header, rows)
    return csv_bytes(header, rows, fmt)


# ============================================================================================
# study.yaml and the whole folder
# ============================================================================================
_STUDY_HEADER = (
    "# Synthetische voorbeeldstudie, gemaakt met 'mss-eval demo --generate'. Alle personen,\n"
    "# organisaties, antwoorden en citaten zijn verzonnen; de aantallen van ronde 2010-1 volgen\n"
    "# tabel 1 van de tussenrapportage van de cliëntenmonitor (oktober 2010).\n"
    "# Pas dit bestand niet met de hand aan: genereer de studie opnieuw.\n"
)


def study_yaml(rounds: Sequence[RoundPlan], approached: Mapping[str, Mapping]) -> str:
    """The text of ``study.yaml`` for the generated study."""
    regions, listed = [], set()
    for rnd in rounds:
        for plan in rnd.regions:
            if plan.id in listed:  # a region measured again is listed once
                continue
            listed.add(plan.id)
            regions.append(dict(id=plan.id, name=plan.name,
                                municipalities=list(plan.municipalities),
                                target_population=plan.target_population,
                                profile=dict(plan.profile)))
    data = dict(
        name="Cliëntenmonitor maatschappelijke steunsystemen 2010 (voorbeeldstudie)",
        commissioned_by="Landelijk Platform GGz (voorbeeld)",
        synthetic=True,
        description="Verzonnen gegevens in de opzet van de cliëntenmonitor langdurende ggz en "
                    "maatschappelijke steunsystemen: twee rondes, per regio interviews, "
                    "vragenlijsten, een enquête onder samenwerkingspartners en een "
                    "terugkoppelingsbijeenkomst. In ronde 2 heeft Zeist te weinig cliënten voor "
                    "cijfers over cliënten, en heeft Hilversum maar een deel van de "
                    "instrumenten aangeleverd."
                    + (" In de vervolgmeting van 2011 zijn Den Haag en Dordrecht opnieuw "
                       "bezocht; een deel van hun cliënten is voor de tweede keer "
                       "geïnterviewd." if any(r.follow_up for r in rounds) else ""),
        rounds=[dict(id=rnd.id, label=rnd.label, period=dict(start=rnd.start, end=rnd.end),
                     regions=[p.id for p in rnd.regions], approached=approached[rnd.id])
                for rnd in rounds],
        regions=regions,
        settings=dict(min_respondents=5, language="nl"),
    )
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100,
                          default_flow_style=False)
    return _STUDY_HEADER + body


def _approached(rng: np.random.Generator, counts: Mapping[str, int], sizes: Mapping[str, int]
                ) -> dict[str, int]:
    """How many people were asked to take part, per method of the data-collection table: a
    little more than took part; only for the instruments the region delivered."""
    clients = sizes.get("client_interview", 0)
    draws = {
        "client_interview": clients + max(1, _round_half_up(clients * rng.uniform(0.1, 0.3))),
        "client_questionnaire": sizes.get("client_questionnaire", 0) + int(rng.integers(1, 4)),
        "general_interview": counts["general"] + int(rng.integers(0, 3)),
        "partner_interview": counts["partner"] + int(rng.integers(1, 4)),
        "feedback_meeting": sizes.get("feedback_meeting", 0) + int(rng.integers(2, 7)),
    }
    instrument = {"general_interview": "interview_register",
                  "partner_interview": "interview_register"}
    return {method: value for method, value in draws.items()
            if instrument.get(method, method) in sizes}


def build_study(*, seed: int = EXAMPLE_SEED, regions_per_round: int | None = None,
                clients_per_region: int | None = None, size_factor: float = 1.0
                ) -> dict[str, bytes]:
    """Every file of the generated study as ``relative path -> bytes`` (nothing is written)."""
    rounds = study_plan(seed=seed, regions_per_round=regions_per_round,
                        clients_per_region=clients_per_region, size_factor=size_factor)
    known = set(instruments())
    files: dict[str, bytes] = {}
    approached: dict[str, dict] = {}
    interviewed: dict[tuple[str, str], _RECORDS] = {}
    for rnd in rounds:
        approached[rnd.id] = {}
        for plan in rnd.regions:
            def rng(name: str) -> np.random.Generator:
                return _rng(seed, rnd.id, plan.id, name)

            c = plan.counts
            orgs = organisations(seed, plan)
            survey = partner_survey(rng("partner_survey"), plan, orgs,
                                    c["partner"] + c["partner_survey_extra"])
            tables: dict[str, _RECORDS] = {
                "client_interview": _client_records(rng, plan, rnd, c["clients"],
                                                    interviewed),
                "client_questionnaire": client_questionnaires(rng("client_questionnaire"), plan,
                                                              rnd, c["questionnaires"]),
                "partner_survey": survey,
                "partner_ties": partner_ties(rng("partner_ties"), plan, orgs, survey),
                "interview_register": interview_register(rng("interview_register"), plan, rnd,
                                                         c["general"], c["partner"]),
                "feedback_meeting": feedback_meeting(rng("feedback_meeting"), c["attendees"]),
                "feedback_findings": feedback_findings(rng("feedback_findings"), plan,
                                                       c["findings"]),
                "governance_profile": governance_profile(plan),
                "monitor_register": monitor_register(rng("monitor_register"), plan),
                "social_map": social_map(rng("social_map"), plan, c["services"]),
                "coded_segments": coded_segments(rng("coded_segments"), plan, size_factor),
            }
            interviewed[(rnd.id, plan.id)] = tables["client_interview"]
            missing = known - set(tables)
            if missing:  # a new instrument in questionnaires/ needs a generator here
                raise NotImplementedError(
                    f"the example generator has no data for instrument(s) {sorted(missing)}")
            if plan.delivers is not None:
                tables = {k: v for k, v in tables.items() if k in plan.delivers}
            for instrument_id, records in tables.items():
                instrument = get_instrument(instrument_id)
                fmt = plan.format_of(instrument_id)
                rel = f"{DATA_DIR}/{rnd.id}/{plan.id}/{instrument_id}{_SUFFIX[fmt]}"
                files[rel] = data_file_bytes(instrument, records, fmt,
                                             plan.labels.get(instrument_id))
            approached[rnd.id][plan.id] = _approached(
                rng("approached"), c, {k: len(v) for k, v in tables.items()})
    files[STUDY_FILE] = study_yaml(rounds, approached).encode("utf-8")
    return dict(sorted(files.items()))


def _client_records(rng, plan: RegionPlan, rnd: RoundPlan, n: int,
                    interviewed: Mapping[tuple[str, str], _RECORDS]) -> _RECORDS:
    """A region's client interviews: drawn afresh, or in a follow-up round the first clients of
    the round followed interviewed again (:func:`followed_clients`) and new clients after them."""
    if plan.id not in rnd.follow_up:
        return client_interviews(rng("client_interview"), plan, rnd, n)
    of, again = rnd.follow_up[plan.id]
    earlier = interviewed[(of, plan.id)]
    again = min(again, len(earlier), n)
    followed = followed_clients(rng("client_interview_followed"), earlier[:again], rnd)
    new = client_interviews(rng("client_interview"), plan, rnd, n - again,
                            first=len(earlier) + 1) if n > again else []
    return followed + new


def generated_files(study_dir: Path | str) -> dict[str, bytes]:
    """The generated files present in a study folder (``study.yaml`` and ``data/**``), as
    ``relative path -> bytes``; local secrets, texts and reports are left out."""
    study_dir = Path(study_dir)
    out: dict[str, bytes] = {}
    if (study_dir / STUDY_FILE).is_file():
        out[STUDY_FILE] = (study_dir / STUDY_FILE).read_bytes()
    data = study_dir / DATA_DIR
    if data.is_dir():
        for path in sorted(data.rglob("*")):
            if path.is_file() and path.name != SECRET_FILE:
                out[path.relative_to(study_dir).as_posix()] = path.read_bytes()
    return out


def _is_synthetic(study_dir: Path) -> bool:
    try:
        data = yaml.safe_load((study_dir / STUDY_FILE).read_text(encoding="utf-8-sig"))
    except (OSError, yaml.YAMLError, UnicodeDecodeError):
        return False
    return isinstance(data, dict) and data.get("synthetic") is True


def generate_study(out_dir: Path | str, *, seed: int = EXAMPLE_SEED,
                   regions_per_round: int | None = None, clients_per_region: int | None = None,
                   size_factor: float = 1.0, overwrite: bool = False) -> Path:
    """Write the synthetic example study into ``out_dir``.

    Parameters
    ----------
    out_dir
        The study folder to create. It may exist if it holds no ``study.yaml`` or ``data/``.
    seed
        Seed of the random draws; the same seed gives byte-identical files.
    regions_per_round
        Regions per round: fewer than the named regions keeps the first ones, more adds invented
        regions ``region_001``, ``region_002``, ... (for benchmarks). ``None``: the named regions.
    clients_per_region
        Client interviews per region (``None``: Table 1's counts for round 2010-1, plausible
        counts for round 2010-2).
    size_factor
        Multiplies the number of rows of every instrument (respondents, register rows, services,
        coded sources); 1.0 writes the study as shipped.
    overwrite
        Replace an earlier generated study in ``out_dir``. Only ``study.yaml`` and ``data/`` are
        replaced, and only when the existing ``study.yaml`` says ``synthetic: true``; a local
        secret, ``texts/`` and ``reports/`` are kept.

    Returns
    -------
    Path
        ``out_dir``.

    Raises
    ------
    FileExistsError
        When ``out_dir`` already holds a study and ``overwrite`` is false, or holds a study that is
        not synthetic (real data are never overwritten).
    """
    out_dir = Path(out_dir)
    present = [name for name in GENERATED_ITEMS if (out_dir / name).exists()]
    if present:
        if not overwrite:
            raise FileExistsError(
                f"{out_dir} already holds a study ({', '.join(present)}); pass overwrite=True "
                "(mss-eval demo --generate --force) to generate it again")
        if not _is_synthetic(out_dir):
            raise FileExistsError(
                f"{out_dir} holds a study that is not marked 'synthetic: true'; the example "
                "generator never overwrites real data")
    files = build_study(seed=seed, regions_per_round=regions_per_round,
                        clients_per_region=clients_per_region, size_factor=size_factor)
    out_dir.mkdir(parents=True, exist_ok=True)
    if (out_dir / DATA_DIR).exists():
        shutil.rmtree(out_dir / DATA_DIR)
    for rel, content in files.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    return out_dir


def default_example_dir() -> Path:
    """``data_templates/example_study`` of the project the package was installed from."""
    return questionnaires_dir().parent / "data_templates" / "example_study"


__all__ = [
    "EXAMPLE_SEED",
    "GENERATED_ITEMS",
    "RegionPlan",
    "RoundPlan",
    "build_study",
    "default_example_dir",
    "generate_study",
    "generated_files",
    "study_plan",
]
