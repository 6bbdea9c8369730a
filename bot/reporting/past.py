"""The values of a commune's recent submissions, as a session reads them (last period and the
ones before, for the suggestions and the soft checks), kept computed between sessions."""

from __future__ import annotations

from collections import OrderedDict

from bot.domain.forms import Form
from bot.domain.values import Values, compute
from storage.submissions import Recent

# The values of recent submissions, by (form, submission): a stored version never changes, and a
# session is opened for every update, so each commune's weeks would be computed again each time.
PAST_CACHED = 512
_past_cache: OrderedDict[tuple[int, int | None], tuple[Form, Values]] = OrderedDict()


def past_values(form: Form, recent: list[Recent]) -> list[Values]:
    found = []
    for submission in recent:
        key = (id(form), submission.submission_id)
        hit = _past_cache.get(key)
        if hit is not None and hit[0] is form:
            _past_cache.move_to_end(key)
            found.append(hit[1])
            continue
        values = compute(form, submission.answers)
        _past_cache[key] = (form, values)
        if len(_past_cache) > PAST_CACHED:
            _past_cache.popitem(last=False)
        found.append(values)
    return found
