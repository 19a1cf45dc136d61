"""The redactor's automata as a fleet run grows them: one store's secrets after the other, a log line redacted
after each. Built like the digits of a binary counter, not all over again per store (issue #21: quadratic)."""

from __future__ import annotations

import math
from typing import Any

import pytest

from automation.redaction import redactor as redactor_module
from automation.redaction.redactor import Redactor
from automation.redaction.secret_forms import secret_forms


def _store_secret(number: int) -> str:
    return f"store-{number:03d}-Pw!{number * 7919:08d}"


def test_secrets_learnt_store_after_store_are_all_redacted_with_few_automata(
        monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[int] = []
    original = redactor_module._automaton

    def counting(forms: Any) -> Any:
        forms = list(forms)
        built.append(len(forms))
        return original(forms)

    monkeypatch.setattr(redactor_module, "_automaton", counting)
    redactor, stores = Redactor(), 100
    for number in range(stores):
        redactor.add(_store_secret(number))
        assert redactor(f"login of store {number}: {_store_secret(number)}") == f"login of store {number}: ***"
    forms = len(set().union(*(secret_forms(_store_secret(n)) for n in range(stores))))
    levels = len(redactor._text.automata())
    assert levels <= math.log2(stores) + 1
    # Each form is built into an automaton about log2(n) times; one automaton rebuilt per store would build
    # forms x stores / 2 of them.
    assert sum(built) <= forms * (math.log2(stores) + 1) < forms * stores / 2
    # Every secret of every level is still found, in each of its forms.
    for number in (0, 37, 99):
        for form in secret_forms(_store_secret(number)):
            assert redactor(f"<{form}>") == "<***>"
        assert redactor.holds_secret(f"x{_store_secret(number)}x")
    assert not redactor.holds_secret("nothing secret here")


def test_overlapping_secrets_in_different_automata_are_redacted_as_one_stretch() -> None:
    redactor = Redactor(["abcd1234"])
    assert redactor("abcd1234") == "***"  # built: the first secret has an automaton of its own
    redactor.add("1234wxyz")
    for many in range(20):  # later secrets, so that the two above end up in different automata or merged
        redactor.add(f"filler-secret-{many}")
        assert redactor("[abcd1234wxyz]") == "[***]"
    assert redactor.redact_bytes("é abcd1234wxyz".encode()) == "é ***".encode()
