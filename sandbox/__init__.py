"""A local stand-in for Telegram's Bot API (the part baocao-bot uses), with a control API to act as users.

See sandbox/README.md. In-process: `SandboxServer` (server.py) and `SandboxClient` (client.py).
"""

from sandbox.client import SandboxClient, SandboxError
from sandbox.limits import Limits
from sandbox.server import SandboxServer

__all__ = ["Limits", "SandboxClient", "SandboxError", "SandboxServer"]
