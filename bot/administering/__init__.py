"""The admin's journey without a messenger: invitations (/moi), people (/nguoidung, revoking a
membership), and setting up what reports print (/caidat: a commune's settings, a province's
defaults, the provincial rollup's; a replacement template). Every action checks scope on the identity."""
