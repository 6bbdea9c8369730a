"""The reporting screens moved to bot/reporting_screens.py (channel-free); ``edit_menu`` is named
here still for handlers/supervising/approval.py until that journey is converted too."""

from __future__ import annotations

from bot.reporting_screens import Screen, edit_menu

__all__ = ["Screen", "edit_menu"]
