"""The notices of the calendar (openings, reminders, deadlines, escalations, resubmissions) as a
person reads them (``wording``); their exactly-once sending is bot.notices.broadcast."""
