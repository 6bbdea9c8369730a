"""The admin's journey without a messenger: invitations (/moi) and people (/nguoidung, revoking a
membership). Every action checks the admin's provinces on the identity."""
