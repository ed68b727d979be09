"""Pseudonyms: a keyed hash of (region, normalised id) with the study's local secret."""

from __future__ import annotations

import hashlib
import hmac
import re
import stat

import pandas as pd
import pytest

import mss_eval
from helpers_input import STUDY_YAML, clients, make_study, write_client_interview
from mss_eval.problems import StudyError
from mss_eval.pseudonym import (
    ensure_secret,
    normalise_id,
    pseudonymise,
    pseudonymise_series,
)

KEY = bytes(range(32))


def test_a_new_secret_is_32_random_bytes_in_hex_readable_by_the_owner_only(tmp_path):
    key = ensure_secret(tmp_path)
    path = tmp_path / ".mss-secret"
    assert len(key) == 32
    assert re.fullmatch(r"[0-9a-f]{64}", path.read_text().strip())
    assert bytes.fromhex(path.read_text().strip()) == key
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_existing_secret_is_kept(tmp_path):
    first = ensure_secret(tmp_path)
    assert ensure_secret(tmp_path) == first


def test_two_studies_get_different_secrets(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert ensure_secret(tmp_path / "a") != ensure_secret(tmp_path / "b")


def test_a_damaged_secret_is_an_error_not_silently_replaced(tmp_path):
    (tmp_path / ".mss-secret").write_text("not hex\n")
    with pytest.raises(StudyError) as info:
        ensure_secret(tmp_path)
    assert info.value.problems[0].code == "secret_invalid"
    assert (tmp_path / ".mss-secret").read_text() == "not hex\n"


def test_the_pseudonym_is_p_and_12_hex_of_hmac_sha256_over_region_and_id():
    expected = "p" + hmac.new(KEY, "den_haag\x1fdh-001".encode(), hashlib.sha256).hexdigest()[:12]
    assert pseudonymise("DH-001", "den_haag", KEY) == expected
    assert re.fullmatch(r"p[0-9a-f]{12}", expected)


@pytest.mark.parametrize("a, b", [
    ("DH-001", " dh-001 "), ("12", "0012"), ("12", "12.0"), ("A  12", "a 12"),
])
def test_spellings_of_the_same_id_give_the_same_pseudonym(a, b):
    assert normalise_id(a) == normalise_id(b)
    assert pseudonymise(a, "den_haag", KEY) == pseudonymise(b, "den_haag", KEY)


def test_the_same_id_in_another_region_or_with_another_key_differs():
    base = pseudonymise("12", "den_haag", KEY)
    assert pseudonymise("12", "dordrecht", KEY) != base
    assert pseudonymise("12", "den_haag", bytes(32)) != base
    assert pseudonymise("13", "den_haag", KEY) != base


def test_a_column_is_pseudonymised_like_single_ids_and_na_stays_na():
    ids = pd.Series(["1", pd.NA, "001", "x"], dtype="string")
    out = pseudonymise_series(ids, "r", KEY)
    assert out.dtype == "string"
    assert out[0] == out[2] == pseudonymise("1", "r", KEY)
    assert pd.isna(out[1])
    regions = pd.Series(["r", "r", "s", "s"])
    mixed = pseudonymise_series(ids, regions, KEY)
    assert mixed[2] == pseudonymise("001", "s", KEY) != out[2]


def test_a_respondent_keeps_the_pseudonym_across_rounds_and_raw_ids_never_enter(tmp_path):
    text = STUDY_YAML.format(language="nl").replace(
        "regions:\n  - id: den_haag",
        '  - id: "2010-2"\n    label: Ronde 2\n    regions: [den_haag]\nregions:\n  - id: den_haag',
    )
    root = make_study(tmp_path / "study", yaml_text=text)
    write_client_interview(root, clients(2))
    write_client_interview(root, clients(2), region="dordrecht")
    write_client_interview(root, clients(1), round_id="2010-2")
    study = mss_eval.load_study(root)
    frame = study["client_interview"]

    def first_id(round_id, region):
        rows = frame[(frame["round"] == round_id) & (frame["region"] == region)]
        return rows["respondent_id"].iloc[0]

    first = first_id("2010-1", "den_haag")
    assert first_id("2010-2", "den_haag") == first
    assert first_id("2010-1", "dordrecht") != first
    key = bytes.fromhex((root / ".mss-secret").read_text().strip())
    assert first == pseudonymise("DH-001", "den_haag", key)
    assert not frame["respondent_id"].str.contains("DH").any()


def test_processes_creating_the_secret_at_once_all_read_the_same_whole_key(tmp_path):
    """Several processes loading a new study together: each gets the same 32-byte key, none
    reads a half-written file."""
    import subprocess
    import sys

    code = ("import sys; from mss_eval.pseudonym import ensure_secret; "
            "print(ensure_secret(sys.argv[1]).hex())")
    for attempt in range(3):
        study = tmp_path / f"study{attempt}"
        study.mkdir()
        procs = [subprocess.Popen([sys.executable, "-c", code, str(study)],
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(6)]
        outs = [p.communicate(timeout=120) for p in procs]
        assert all(p.returncode == 0 for p in procs), [e for _, e in outs]
        keys = {o.strip() for o, _ in outs}
        assert len(keys) == 1 and len(keys.pop()) == 64
        assert [p.name for p in study.iterdir()] == [".mss-secret"]
