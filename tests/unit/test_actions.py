"""The actions behind choices: written and read in one place, the strings the bot has always sent,
64 bytes at most, and nothing forged or malformed read as an action."""

from __future__ import annotations

import dataclasses
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.chat import actions
from bot.chat.actions import (
    Action,
    ActionError,
    Approve,
    ChooseCommune,
    ChooseReport,
    NudgeMissing,
    ShowCommune,
    ShowRollup,
    Submit,
    UseSuggestion,
    decode,
    encode,
    matches,
)

ALL = [cls for cls in vars(actions).values()
       if isinstance(cls, type) and issubclass(cls, Action) and cls is not Action]


@pytest.mark.parametrize(("action", "data"), [
    (ChooseCommune(code="01894"), "rc:01894"),
    (ChooseReport(period_id=41, code="01894"), "rp:41:01894"),
    (UseSuggestion(draft_id=12, field="carried_over"), "r:12:s:carried_over"),
    (Submit(draft_id=7), "r:7:u"),
    (ShowRollup(scope="19", period="2025-W50"), "sv:t:19:2025-W50"),
    (ShowRollup(scope="all"), "sv:t:all:"),
    (ShowCommune(code="05800", period_id=3), "sv:x:05800:3"),
    (ShowCommune(code="05800"), "sv:x:05800:"),
    (Approve(submission_id=13), "sv:a:13"),
    (NudgeMissing(period_id=4, province="19"), "nudge:4:19"),
])
def test_the_strings_are_those_the_bot_has_always_sent(action: Action, data: str) -> None:
    assert encode(action) == data
    assert decode(data) == action


def test_older_strings_without_an_optional_slot_still_read() -> None:
    assert decode("sv:x:05800") == ShowCommune(code="05800")
    assert decode("sv:t:19") == ShowRollup(scope="19")


@pytest.mark.parametrize("data", [
    "", "sv:a:", "sv:a:²", "sv:a:1:2", "r:x:u", "r:12:q", "rc:", "zz:1", "sv:a:" + "9" * 16,
    "nudge:4", "sv:t::2025-W50", "rc:a b", "r:12:s:" + "x" * 41, "r:12:s:Carried", None, 12,
])
def test_forged_or_malformed_strings_read_as_nothing(data: object) -> None:
    assert decode(data) is None


def test_every_action_has_its_own_layout_and_fits_64_bytes() -> None:
    """Slots are bounded (15 digits, 28 letters, or narrower: a form's id, a scope, a unit's code),
    so every action fits Telegram's 64 bytes."""
    layouts = [cls.layout for cls in ALL]
    assert len(layouts) == len(set(layouts)) and all(layouts)

    def longest(cls: type, name: str) -> str:
        alphabet = actions._alphabet(cls, name)
        return next("x" * size for size in range(60, 0, -1) if re.fullmatch(alphabet, "x" * size))

    for cls in ALL:  # the longest values every slot allows
        values = {f.name: (10**15 - 1 if "int" in str(f.type) else longest(cls, f.name))
                  for f in dataclasses.fields(cls)}
        assert decode(encode(cls(**values))) == cls(**values)


def test_values_outside_their_slot_are_refused_on_writing() -> None:
    with pytest.raises(ActionError):
        encode(ChooseCommune(code="01:894"))
    with pytest.raises(ActionError):
        encode(UseSuggestion(draft_id=1, field="x" * 40 + "y"))  # over the slot (40: a form field id)


def test_matches_tells_a_dispatcher_which_action_it_is() -> None:
    assert matches(Approve)("sv:a:13") and not matches(Approve)("sv:r:13")
    assert matches(Approve, Submit)("r:7:u")


@given(st.text(max_size=70))
def test_any_string_reads_as_an_action_or_nothing_and_an_action_writes_back_the_same(data: str) -> None:
    found = decode(data)
    if found is not None:
        assert decode(encode(found)) == found


def test_a_check_key_with_its_subject_fits_the_soft_check_choices() -> None:
    """Per-figure checks are keyed «outlier:<field>»: the colon and 31 letters must go through."""
    from bot.chat.actions import FixBreak, KeepBreak

    for cls in (FixBreak, KeepBreak):
        action = cls(draft_id=10**15 - 1, check="outlier:received_online_partial")
        assert decode(encode(action)) == action
    assert decode("r:12:f:balance") == FixBreak(draft_id=12, check="balance")

