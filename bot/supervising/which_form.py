"""Which report a command is about (/tonghop, /chuanop, /xa, /nhapthay, /baocaocu): the form named
in its arguments — a word of the catalogue («tháng», «tuần»), the form's id or its first part
(«nq57»), a period key whose kind tells it ("2026-04" is a month) — or carried by a choice; with one
form scheduled, that one (nothing changes); with more, the choice of the report (nearer deadline
first)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.chat.actions import Action
from bot.chat.catalogue import say
from bot.chat.replies import Choice, Message
from bot.domain.arguments import is_keyword
from bot.domain.forms import Form
from bot.domain.periods import PeriodKey
from bot.domain.scheduled import scheduled_forms as forms_scheduled
from bot.domain.text import fold
from bot.services import Services

KIND_WORDS = {"weekly": "keywords.weekly", "monthly": "keywords.monthly"}


def scheduled_forms(services: Services) -> list[Form]:
    """The forms the calendar runs and the default one, the nearer deadline of its current period
    first (the default form first on a tie)."""
    return forms_scheduled(services.forms, services.clock.now())


def form_named(services: Services, form_id: str | None) -> Form | None:
    """The form a choice carries (None: not said, or not a form any more)."""
    return services.forms.get(form_id) if form_id else None


def form_of_word(forms: Sequence[Form], word: str) -> Form | None:
    """The form ``word`` names: its id, the id's first part («nq57»), or a word of its period's
    kind («tháng») when one form of that kind is among ``forms``."""
    folded = fold(word)
    for form in forms:
        if folded in (form.id, form.id.split("-", 1)[0]):
            return form
    for kind, key in KIND_WORDS.items():
        if is_keyword(word, key):
            found = [form for form in forms if form.period.kind == kind and not form.is_variant]
            return found[0] if len(found) == 1 else None  # a variant's reports are its base form's
    return None


def form_of_key(forms: Sequence[Form], key: str) -> Form | None:
    """The form whose periods are of the kind of ``key`` ("2026-04": the monthly one)."""
    kind = PeriodKey.parse(key).kind
    found = [form for form in forms if form.period.kind == kind]
    return found[0] if found else None


@dataclass
class Picked:
    """What a command's arguments say of the form: the form (None: to be asked when several are
    scheduled) and the words left for the command."""

    form: Form | None
    rest: list[str] = field(default_factory=list)


def pick(services: Services, words: Sequence[str], key: str | None = None, carried: str | None = None,
         *, last_only: bool = False) -> Picked:
    """The form of a command: ``carried`` by a choice, else named by a word of ``words`` (taken out
    of them; ``last_only``: only the last of several words, as after a commune's name, which may
    hold «Tuần»), else told by the period ``key``'s kind, else the only one scheduled."""
    forms = scheduled_forms(services)
    rest = list(words)
    chosen = form_named(services, carried)
    places = [len(rest) - 1] if last_only and len(rest) > 1 else [] if last_only else range(len(rest))
    if chosen is None:
        for index in places:
            chosen = form_of_word(list(services.forms.values()), rest[index])
            if chosen is not None:
                del rest[index]
                break
    if chosen is None and key is not None:
        chosen = form_of_key(forms, key) or form_of_key(list(services.forms.values()), key)
    if chosen is None and len(forms) == 1:
        chosen = forms[0]
    return Picked(chosen, rest)


def other_kind(form: Form, key: str, today: date) -> Message | None:
    """Why ``key`` is refused when it is a period of another kind than the form's («/tonghop 2025-W50
    tháng»), with a period of the form's kind as the example; None when it is of the form's kind."""
    if PeriodKey.parse(key).kind == form.period.kind:
        return None
    example = str(PeriodKey.containing(form.period.kind, today).previous())
    return Message(say("per_form_arguments.other_kind", key=key, form=form.title, example=example))


def several(services: Services) -> bool:
    """Whether more than one form is scheduled (a choice then names its form)."""
    return len(scheduled_forms(services)) > 1


def carried(services: Services, form: Form | None) -> str | None:
    """The form id a choice carries: None with one form scheduled (the choices stay as they were)
    or no form said."""
    return form.id if form is not None and several(services) else None


def ask_form(services: Services, action: Callable[[str], Action], text: str | None = None) -> Message:
    """«Anh/Chị muốn xem báo cáo nào?» with one choice per scheduled form."""
    rows = tuple((Choice(form.title, action(form.id)),) for form in scheduled_forms(services))
    return Message(text or say("which_form.ask"), rows)


def report_named(services: Services, form: Form) -> str:
    """«Báo cáo: …» and a new line above what a command shows when several forms are scheduled; ""
    with one (what it shows stays as it was)."""
    return say("which_form.report_named", form=form.title) + "\n" if several(services) else ""
