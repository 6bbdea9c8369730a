"""With two reports scheduled, the report a supervisor picks on Zalo is the one shown: the options
carry the form as Telegram's buttons do (a choice that dropped it would ask again, for ever)."""

from __future__ import annotations

from bot.chat.catalogue import say
from bot.domain.forms import load_forms
from bot.reporting.form_versions import remember_forms
from tests.e2e.zalo_world import ZALO_SON, has, option_key
from tests.zalo.conftest import ZaloWorld


async def _two_forms(world: ZaloWorld) -> dict[str, str]:
    services = world.channel.services
    services.forms = load_forms(services.settings.forms_dir)
    await remember_forms(services)
    return {form.id: form.title for form in services.forms.values() if form.scheduled and not form.is_variant}


async def test_the_report_picked_on_zalo_is_the_one_missing_is_shown_for(zalo_world: ZaloWorld) -> None:
    titles = await _two_forms(zalo_world)
    assert len(titles) == 2
    son = zalo_world.chat(ZALO_SON)
    for title in titles.values():
        asked = await son.ask("/chuanop", has(say("which_form.ask")))
        shown = await son.ask(option_key(asked, title), has(say("which_form.report_named", form=title)))
        assert say("which_form.ask") not in shown["text"]


async def test_the_commune_picked_on_zalo_is_shown_for_the_report_picked(zalo_world: ZaloWorld) -> None:
    titles = await _two_forms(zalo_world)
    son = zalo_world.chat(ZALO_SON)
    code = zalo_world.units["mine"].code
    for title in titles.values():
        asked = await son.ask(f"/xa {code}", has(say("which_form.ask")), timeout=30)
        card = await son.ask(option_key(asked, title), has(say("which_form.report_named", form=title)), timeout=30)
        assert say("which_form.ask") not in card["text"]
