"""What Telegram users touch: one module per journey. Handlers are registered here, in order."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application

from handlers import (
    administering,
    calendar,
    common,
    identity,
    onboarding,
    report_files,
    report_setup,
    reporting,
    supervising,
)


def register_handlers(application: Application[Any, Any, Any, Any, Any, Any]) -> None:
    """The one ordered place where handlers are registered: the first that matches wins,
    so commands and journeys come before the fallbacks that answer stray input. Before all of
    them (group -2), who sent the update is looked up once."""
    identity.register(application)
    onboarding.register(application)
    administering.register(application)
    report_files.register(application)
    report_setup.register(application)
    calendar.register(application)  # before reporting: its «Nhập báo cáo» button opens the report
    reporting.register(application)
    supervising.register(application)  # commands and «sv:» buttons only: no text input of its own
    common.register_fallbacks(application)
    application.add_error_handler(common.on_error)
