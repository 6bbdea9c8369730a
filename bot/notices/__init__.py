"""The notices of the calendar (openings, reminders, deadlines, escalations, resubmissions): who is
owed which (``reminders``, ``plan``), as a person reads them (``wording``), when each moment runs
(``timetable``), and their exactly-once sending (``broadcast``) through a channel's port
(``sending``). Nothing here knows which messenger carries them."""
