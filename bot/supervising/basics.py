"""Small things every part of the supervising journey uses: how an official is named in a list.
Which form a command concerns is bot/supervising/which_form.py's."""

from __future__ import annotations

from storage.models import Person


def official(person: Person) -> str:
    """«Nguyễn Thị Lan (@lan)»: the name, and the Telegram username when there is one."""
    return person.full_name + (f" (@{person.username})" if person.username else "")
