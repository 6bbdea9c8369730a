"""Which form a commune answers: the weekly form, or the variant (a province's outline) its
settings choose — the commune's own setting ``form_variant``, else its province's."""

from __future__ import annotations

from collections.abc import Mapping

from bot.domain.forms import WEEKLY_FORM_ID, Form
from bot.domain.report_settings import merge
from bot.reporting.files import settings_layers
from storage import Storage


async def chosen_variant(storage: Storage, unit_code: str, province_code: str | None) -> str | None:
    """The variant id the commune's or its province's settings name (None: none)."""
    merged = merge(None, None)
    for layer in await settings_layers(storage, unit_code, province_code):
        merged = merge(merged, layer)
    return merged.form_variant


def variant_form(forms: Mapping[str, Form], variant: str | None, base_id: str = WEEKLY_FORM_ID) -> Form:
    """The variant when it is one of ``base_id``'s among ``forms``, else the form ``base_id``
    (a variant since removed from the forms falls back to the form it extended); a variant always
    keeps the calendar its base has now."""
    base = forms[base_id]
    form = forms.get(variant) if variant else None
    if form is None or form.variant_of != base_id:
        return base
    if form.period != base.period:  # the calendar changed in chat (/lich): the variant follows it
        return form.model_copy(update={"period": base.period})
    return form


async def form_for_unit(storage: Storage, forms: Mapping[str, Form], unit_code: str, province_code: str | None,
                        base_id: str = WEEKLY_FORM_ID) -> Form:
    """The form the commune answers for ``base_id``'s periods."""
    return variant_form(forms, await chosen_variant(storage, unit_code, province_code), base_id)
