"""baocao-bot: weekly commune reporting to the province over Telegram."""

__version__ = "0.1.0"
