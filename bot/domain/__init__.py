"""The domain: forms, periods, checks, rollups and report rendering.

Nothing in this package imports telegram: it is plain Python over pydantic models,
usable from the bot, the command line, the tests and the benchmarks alike.
"""
