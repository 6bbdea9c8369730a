"""What a person's cursor in a draft is asking now: the modes stored with it."""

ANSWER = "answer"
SOFT = "soft"  # a soft check fired: fix it, or keep it and give a reason
REASON = "reason"  # waiting for the reason of a kept soft-check break
REVIEW = "review"
PAUSED = "paused"
WARNINGS = "warnings"  # several soft checks open: each can be fixed, or all kept with one reason
ALL = "*"  # the check of a REASON cursor when one reason is asked for every open soft check
