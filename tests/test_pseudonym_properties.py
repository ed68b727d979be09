"""What the pseudonyms protect against: the same respondent keeps one pseudonym across rounds,
and without the study's key, hashing candidate ids never gives a pseudonym back.

``tests/test_pseudonym.py`` covers the construction (HMAC-SHA256 of region and normalised id) and
one respondent across two rounds; these tests add the property over any ids, and the attack.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import re
import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mss_eval
from helpers_input import STUDY_YAML, clients, make_study, write_client_interview
from mss_eval.pseudonym import normalise_id, pseudonymise

TWO_ROUNDS = STUDY_YAML.format(language="nl").replace(
    "regions:\n  - id: den_haag",
    '  - id: "2010-2"\n    label: Ronde 2\n    regions: [den_haag, dordrecht]\n'
    "regions:\n  - id: den_haag")

_IDS = st.text(alphabet=string.ascii_uppercase + string.digits + "-", min_size=3, max_size=8)
#: Ids the identifier screen cannot take for a postcode, BSN, phone number or date (those need
#: four digits in a row), so that every generated study is valid.
_RESPONDENT_IDS = _IDS.filter(lambda i: any(c.isalnum() for c in i)
                              and not re.search(r"\d{4}", i))


def test_the_same_respondents_keep_their_pseudonyms_in_every_round(tmp_path):
    root = make_study(tmp_path / "study", yaml_text=TWO_ROUNDS)

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(_RESPONDENT_IDS, min_size=1, max_size=6, unique_by=normalise_id),
           st.randoms(use_true_random=False))
    def check(ids, rng):
        second = list(ids)
        rng.shuffle(second)  # a region delivers its respondents in another order
        for round_id, order in (("2010-1", ids), ("2010-2", second)):
            rows = clients(len(order))
            for row, rid in zip(rows, order):
                row["respondent_id"] = rid if round_id == "2010-1" else f" {rid.lower()} "
            write_client_interview(root, rows, round_id=round_id)
            write_client_interview(root, rows, round_id=round_id, region="dordrecht")
        frame = mss_eval.load_study(root)["client_interview"]

        def pseudonyms(round_id, region):
            rows = frame[(frame["round"] == round_id) & (frame["region"] == region)]
            return rows["respondent_id"].tolist()

        first_round = dict(zip(ids, pseudonyms("2010-1", "den_haag")))
        second_round = dict(zip(second, pseudonyms("2010-2", "den_haag")))
        assert first_round == second_round
        assert len(set(first_round.values())) == len(ids)
        # the same number in another region is another respondent
        assert not set(first_round.values()) & set(pseudonyms("2010-1", "dordrecht"))

    check()


def _unkeyed_guesses(candidate: str, region: str) -> set[str]:
    """What someone without the key might try: common hashes of the id, with and without the
    region, in the raw and the normalised form, and HMAC with keys that can be guessed."""
    forms = {candidate, normalise_id(candidate), f"{region}{candidate}",
             f"{region}\x1f{normalise_id(candidate)}", f"{region}:{candidate}"}
    out = set()
    for form in forms:
        data = form.encode("utf-8")
        for name in ("sha256", "sha1", "md5", "blake2b", "sha3_256"):
            out.add("p" + hashlib.new(name, data).hexdigest()[:12])
        for key in (b"", bytes(32), region.encode(), b"mss-eval", b"secret", b"\xff" * 32):
            out.add("p" + hmac.new(key, data, hashlib.sha256).hexdigest()[:12])
    return out


@pytest.fixture(scope="module")
def pseudonymised(tmp_path_factory):
    root = make_study(tmp_path_factory.mktemp("attack") / "study")
    write_client_interview(root, clients(40))
    study = mss_eval.load_study(root)
    key = bytes.fromhex((root / ".mss-secret").read_text().strip())
    return set(study["client_interview"]["respondent_id"]), key


def test_hashing_candidate_ids_without_the_key_never_gives_a_pseudonym(pseudonymised):
    pseudonyms, key = pseudonymised
    # every id the region could have used: DH-000 .. DH-999 and plain numbers
    candidates = [f"DH-{i:03d}" for i in range(1000)] + [str(i) for i in range(1000)]
    guesses = set(itertools.chain.from_iterable(
        _unkeyed_guesses(c, "den_haag") for c in candidates))
    assert len(guesses) > 50_000
    assert not guesses & pseudonyms
    # the same enumeration with the study's key finds every respondent: the key is what protects
    with_key = {pseudonymise(c, "den_haag", key) for c in candidates}
    assert pseudonyms <= with_key


@settings(max_examples=50, deadline=None)
@given(st.binary(min_size=16, max_size=32), _IDS, st.sampled_from(["den_haag", "dordrecht"]))
def test_another_key_gives_another_pseudonym(wrong_key, candidate, region):
    key = bytes(range(32))
    if wrong_key == key:
        return
    assert pseudonymise(candidate, region, wrong_key) != pseudonymise(candidate, region, key)


def test_the_key_is_nowhere_in_the_tidy_data(tmp_path):
    root = make_study(tmp_path / "study")
    write_client_interview(root, clients(5))
    study = mss_eval.load_study(root)
    secret = (root / ".mss-secret").read_text().strip()
    text = repr(study) + "".join(frame.to_csv() for frame in study.tables.values())
    text += study.files.to_csv() + "".join(p.message for p in study.problems)
    assert secret not in text and secret[:16] not in text
