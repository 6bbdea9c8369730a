"""matches(...): a dispatcher's predicate on typed actions that also says how their data begins."""

from __future__ import annotations

import re

from bot.chat.actions import AskRevoke, CancelRevoke, ConfirmRevoke, Invite, NudgeMissing, encode, matches


def test_a_matcher_takes_its_actions_only() -> None:
    revoking = matches(AskRevoke, ConfirmRevoke, CancelRevoke)
    assert revoking(encode(ConfirmRevoke(membership_id=7))) and revoking("nd:n:7")
    assert not revoking("nd:x:7") and not revoking("nd:r:seven") and not revoking(None)
    assert not revoking(encode(Invite(role="r", code="01840")))


def test_its_pattern_says_how_the_data_begins() -> None:
    assert matches(Invite).pattern == "^mi:"
    assert matches(AskRevoke, ConfirmRevoke, CancelRevoke).pattern == "^nd:r:|^nd:y:|^nd:n:"
    nudging = matches(NudgeMissing)
    data = encode(NudgeMissing(period_id=3, province="19"))
    assert re.match(nudging.pattern, data) and nudging(data)
