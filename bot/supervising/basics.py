"""Small things every part of the supervising journey uses: the form it works with and how an
official is named in a list."""

from __future__ import annotations

from bot.domain.forms import WEEKLY_FORM_ID, Form
from bot.services import Services
from storage.models import Person


def weekly_form(services: Services, form_id: str = WEEKLY_FORM_ID) -> Form:
    return services.forms[form_id]


def official(person: Person) -> str:
    """«Nguyễn Thị Lan (@lan)»: the name, and the Telegram username when there is one."""
    return person.full_name + (f" (@{person.username})" if person.username else "")
