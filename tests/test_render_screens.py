"""The leak check's view of a study is built once by the parent and handed to the workers."""

from __future__ import annotations

import pickle

import pytest

from mss_eval.privacy import Screen
from mss_eval.render import faults, worker


@pytest.fixture()
def study(tmp_path):
    from mss_eval.example.generator import generate_study

    return generate_study(tmp_path / "study", regions_per_round=2, clients_per_region=6)


@pytest.fixture(autouse=True)
def _no_screens():
    faults._screens.clear()
    yield
    faults._screens.clear()


def test_a_worker_uses_the_parents_screen_instead_of_reading_the_study(study, monkeypatch):
    built = faults.leak_screen(study, "nl")
    handed = pickle.loads(pickle.dumps(faults.screens_now()))  # as the pool sends them
    faults._screens.clear()

    def refuse(*_args, **_kwargs):
        raise AssertionError("the worker read the study again")

    monkeypatch.setattr(Screen, "from_study", classmethod(refuse))
    worker.init_worker(None, handed)
    adopted = faults.leak_screen(study, "nl")
    assert adopted.ids == built.ids and adopted.pseudonyms == built.pseudonyms
    assert adopted.free_text == built.free_text


def test_a_screen_of_an_older_study_state_is_not_used(study, monkeypatch):
    faults.leak_screen(study, "nl")
    handed = faults.screens_now()
    faults._screens.clear()
    # a file of the study changes after the parent built its screen
    target = next((study / "data").rglob("client_interview.*"))
    target.write_bytes(target.read_bytes())
    import os
    import time

    later = time.time() + 5
    os.utime(target, (later, later))
    calls = []
    original = Screen.from_study.__func__

    def counting(cls, *args, **kwargs):
        calls.append(args)
        return original(cls, *args, **kwargs)

    monkeypatch.setattr(Screen, "from_study", classmethod(counting))
    worker.init_worker(None, handed)
    faults.leak_screen(study, "nl")
    assert len(calls) == 1
