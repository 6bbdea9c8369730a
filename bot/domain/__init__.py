"""The domain: forms, periods, values, checks and the rollup's arithmetic — pure, no I/O.

Nothing in this package imports telegram or touches storage or files beyond reading form
files; documents made from its results live in ``bot.documents``.
"""
