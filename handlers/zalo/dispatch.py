"""What a Zalo text asks for, sent to the same journey services as on Telegram: the commands
(typed as on Telegram) and the actions behind the options (those Telegram gets as taps), with
the same checks — the supervising journey refuses whoever does not supervise, and every service
checks again, on the server, that the person may see what the action names."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from bot.administering import invitations, people
from bot.calendar.leave import leave
from bot.calendar.nudging import nudge_missing
from bot.calendar.schedule import calendar
from bot.chat.access import Identity
from bot.chat.actions import (
    Approve,
    AskRevoke,
    CancelReturn,
    CancelRevoke,
    ChooseCommune,
    ChooseReport,
    ConfirmRevoke,
    CorrectReturned,
    EnterOnBehalf,
    Invite,
    NudgeMissing,
    OpenReport,
    PastReportFile,
    PickCommune,
    ReturnReport,
    ShowCommune,
    ShowMissing,
    ShowRollup,
    SubmissionFile,
    SubmitOnBehalf,
    decode,
)
from bot.chat.catalogue import say
from bot.chat.replies import Message, Reply
from bot.chat.strangers import stranger_greeting
from bot.notices.timetable import Timetable
from bot.onboarding import stray
from bot.onboarding.linking import show_link_code
from bot.onboarding.welcome import describe_roles, help_for
from bot.reporting.documents import earlier_reports, past_report_file
from bot.reporting.journey import DRAFT_ACTIONS, ReportingJourney
from bot.reporting.screens import edit_menu
from bot.supervising import approval, commune, missing, on_behalf, return_reason, rollup
from bot.supervising.commune import CardPart, HistoryTable
from bot.supervising.on_behalf import Resubmitted
from bot.supervising.scope import SUPERVISOR_ACTIONS, refusal, supervises

if TYPE_CHECKING:
    from handlers.zalo.channel import ZaloChannel

TELEGRAM_ONLY = frozenset({"caidat"})  # a template is a file to send: Zalo takes none


def command_of(text: str) -> tuple[str, list[str], str]:
    """"/duyet 12 " → ("duyet", ["12"], "12"): the command, its words, and the rest as typed."""
    head, _, rest = text.partition(" ")
    return head[1:].split("@", 1)[0].lower(), rest.split(), rest.strip()


class Dispatch:
    def __init__(self, channel: ZaloChannel, timetable: Callable[[], Timetable | None]) -> None:
        self.channel = channel
        self.services = channel.services
        self._timetable = timetable
        self._rollups: set[str] = set()  # chats whose rollup is being made

    def journey(self) -> ReportingJourney:
        return ReportingJourney(self.services, self._resubmitted())

    def _resubmitted(self) -> Resubmitted | None:
        scheduler = self._timetable()
        return scheduler.resubmitted if scheduler is not None else None

    @staticmethod
    def error() -> list[Reply]:
        return stray.error()

    async def _send(self, chat: str, identity: Identity, replies: list[Reply]) -> None:
        await self.channel.send(chat, identity, replies)

    # -- commands ----------------------------------------------------------------------------

    async def command(self, chat: str, identity: Identity, text: str) -> None:
        name, args, rest = command_of(text)
        services, storage, now = self.services, self.services.storage, self.services.clock.now()
        if supervises(identity):  # a command ends a return's wait for its reason (/huy cancels it)
            if name == "huy" and (cancelled := await return_reason.cancel(services, identity)) is not None:
                await self._send(chat, identity, cancelled)
                return
            if name != "huy" and (dropped := await return_reason.drop(services, identity, quietly=name == "tralai")):
                await self._send(chat, identity, dropped)
        journey = self.journey()
        match name:
            case "start":
                await self._send(chat, identity, await self._welcome(identity))
            case "help":  # and how options work here
                extra = [Message(say("zalo.help_options"))] if identity.is_known else []
                await self._send(chat, identity, [*await help_for(storage, identity), *extra])
            case "baocao":
                await self.channel.send_turn(chat, identity, await journey.start(identity))
            case "huy":
                await self.channel.send_turn(chat, identity, await journey.cancel(identity))
            case "lienket":
                await self._send(chat, identity, await show_link_code(storage, identity, now=now))
            case "baocaocu":
                await self._send(chat, identity, await earlier_reports(services, identity))
            case "nghiphep":
                await self._send(chat, identity, await leave(storage, identity, args, now=now))
            case "lich":
                await self._send(chat, identity, await self._calendar(identity, args))
            case "moi":
                await self._send(chat, identity, await invitations.search(storage, identity, args))
            case "nguoidung":
                await self._send(chat, identity, await people.list_people(storage, identity, rest))
            case "tonghop" | "chuanop" | "xa" | "duyet" | "tralai" | "nhapthay":
                await self._supervising(chat, identity, name, args, rest, text)
            case _ if name in TELEGRAM_ONLY:
                await self._send(chat, identity, [Message(say("zalo.telegram_only", command=f"/{name}"))])
            case _:
                await self._send(chat, identity, stray.unknown_command(text))

    async def _welcome(self, identity: Identity) -> list[Reply]:
        """/start on Zalo (no deep links: an invitation is a code, typed)."""
        if not identity.is_known:
            return [Message(stranger_greeting(identity))]
        name = identity.person.full_name if identity.person is not None else ""
        what = await describe_roles(self.services.storage, identity)
        return [Message(say("onboarding.greeting_known", name=name, what=what))]

    async def _calendar(self, identity: Identity, args: list[str]) -> list[Reply]:
        scheduler = self._timetable()
        services = self.services
        if scheduler is None:
            return stray.error()
        return await calendar(services.storage, services.forms, identity, args, scheduler.change_calendar,
                              now=services.clock.now())

    async def _supervising(self, chat: str, identity: Identity, name: str, args: list[str], rest: str,
                           text: str) -> None:
        if not supervises(identity):
            await self._send(chat, identity, refusal())
            return
        services = self.services
        match name:
            case "tonghop":
                await self._rollup(chat, identity, await rollup.rollup_command(services, identity, args))
            case "chuanop":
                await self._send(chat, identity, await missing.missing_command(services, identity, rest))
            case "xa":
                self.channel.beside(self._card(chat, identity, await commune.commune_command(services, identity,
                                                                                              rest)))
            case "duyet":
                parsed = approval.approve_arguments(rest)
                replies = parsed if isinstance(parsed, list) else await approval.approve(
                    services, identity, parsed, self.channel.tell)
                await self._send(chat, identity, replies)
            case "tralai":
                await self._send(chat, identity, await approval.return_report(services, identity, rest,
                                                                              self.channel.tell))
            case "nhapthay":
                await self._send(chat, identity, await on_behalf.on_behalf_command(services, identity, text))

    # -- a supervisor's reason ---------------------------------------------------------------

    async def reason(self, chat: str, identity: Identity, text: str) -> bool:
        """The text is the reason of a return the supervisor was asked for: taken (True)."""
        if not supervises(identity):
            return False
        taken = await return_reason.take_reason(self.services, identity, text, self.channel.tell)
        if taken is None:
            return False
        await self._send(chat, identity, taken)
        return True

    # -- the actions behind the options ------------------------------------------------------

    async def action(self, chat: str, identity: Identity, data: str) -> None:
        """The action an option names (decoded anew: a stored option is data like a tap's)."""
        action = decode(data)
        services, storage, now = self.services, self.services.storage, self.services.clock.now()
        journey = self.journey()
        if isinstance(action, DRAFT_ACTIONS):
            await self.channel.send_turn(chat, identity, await journey.tap(identity, action))
        elif isinstance(action, ChooseCommune):
            await self.channel.send_turn(chat, identity, await journey.choose_commune(identity, action))
        elif isinstance(action, ChooseReport | OpenReport):
            await self.channel.send_turn(chat, identity, await journey.choose_report(identity, action))
        elif isinstance(action, PastReportFile):
            await self._send(chat, identity, await past_report_file(services, identity, action))
        elif isinstance(action, CorrectReturned):
            opened = await approval.open_correction(services, identity, action.submission_id)
            await self._send(chat, identity, opened if isinstance(opened, list) else [edit_menu(opened).message()])
        elif isinstance(action, NudgeMissing):
            scheduler = self._timetable()
            replies = stray.error() if scheduler is None else await nudge_missing(
                storage, identity, action, scheduler.nudge, now=now, nudge_minutes=scheduler.config.nudge_minutes)
            await self._send(chat, identity, replies)
        elif isinstance(action, Invite):
            await self._send(chat, identity, await invitations.invite(
                storage, identity, action, now=now, bot_username=services.settings.bot_username or ""))
        elif isinstance(action, AskRevoke | ConfirmRevoke | CancelRevoke):
            await self._send(chat, identity, await people.revoke(storage, identity, action, now=now))
        elif isinstance(action, SUPERVISOR_ACTIONS):
            if not supervises(identity):
                await self._send(chat, identity, refusal())
            else:
                await self._supervisor_action(chat, identity, action)
        else:
            await self._send(chat, identity, stray.stale_choice())

    async def _supervisor_action(self, chat: str, identity: Identity, action: object) -> None:
        services = self.services
        match action:
            case ShowRollup():
                await self._rollup(chat, identity, await rollup.rollup_tap(services, identity, action))
            case ShowMissing(province=province, form=form):
                await self._send(chat, identity, await missing.show_missing(services, identity, province, form))
            case ShowCommune(code=code, period_id=period_id, form=form):
                self.channel.beside(self._card(chat, identity, await commune.show_commune(
                    services, identity, code, period_id, form)))
            case PickCommune(code=code, form=form):
                self.channel.beside(self._card(chat, identity, await commune.show_commune(
                    services, identity, code, None, form)))
            case Approve(submission_id=submission_id):
                await self._send(chat, identity, await approval.approve(services, identity, submission_id,
                                                                        self.channel.tell))
            case ReturnReport(submission_id=submission_id):
                await self._send(chat, identity, await return_reason.ask_reason(services, identity, submission_id))
            case CancelReturn():
                await self._send(chat, identity, await return_reason.cancel_tap(services, identity, action))
            case SubmissionFile(submission_id=submission_id):
                await self._send(chat, identity, await commune.submission_file(services, identity, submission_id))
            case EnterOnBehalf(code=code, form=form):
                await self._send(chat, identity, await on_behalf.enter_on_behalf(services, identity, code, form))
            case SubmitOnBehalf(code=code, period_id=period_id):
                await self._send(chat, identity, await on_behalf.submit_on_behalf(
                    services, identity, code, period_id, self.channel.tell, self._resubmitted()))

    async def _card(self, chat: str, identity: Identity, parts: object) -> None:
        """A commune's card; its recent weeks as plain lines (Zalo has no fixed-width text)."""
        assert isinstance(parts, list | tuple)
        replies: list[Reply] = []
        for part in parts:
            if isinstance(part, HistoryTable):
                replies.append(Message("\n".join([part.title, *part.lines()])))
            else:
                replies.append(part)
        await self.channel.send(chat, identity, replies, keep_options=not _offers(parts))

    # -- the rollup --------------------------------------------------------------------------

    async def _rollup(self, chat: str, identity: Identity, asked: rollup.Asked) -> None:
        """The rollup is made beside the updates; the job's "started" message first (Zalo cannot edit it)."""
        if isinstance(asked, list):
            await self._send(chat, identity, asked)
            return
        if chat in self._rollups:
            await self._send(chat, identity, rollup.busy())
            return
        await self.channel.send(chat, identity, [Message(asked.started)], keep_options=True)
        self._rollups.add(chat)
        self.channel.beside(self._make_rollup(chat, identity, asked))

    async def _make_rollup(self, chat: str, identity: Identity, job: rollup.RollupJob) -> None:
        try:
            await self.channel.send(chat, identity, await rollup.make_rollup(self.services, identity, job))
        except asyncio.CancelledError:  # shutting down: say so rather than nothing
            with contextlib.suppress(Exception):
                await self.channel.send(chat, identity, [Message(say("shutdown.rollup_interrupted"))],
                                        keep_options=True)
            raise
        finally:
            self._rollups.discard(chat)


def _offers(parts: object) -> bool:
    """Whether a card offers choices (then they replace the chat's options)."""
    return isinstance(parts, list | tuple) and any(getattr(part, "choices", ()) for part in parts)


__all__ = ["CardPart", "Dispatch", "command_of"]
