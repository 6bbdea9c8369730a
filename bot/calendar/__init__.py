"""The calendar in chat without a messenger: a reporter's leave (/nghiphep), the admin's view and
change of the calendar (/lich), «Nhắc các xã chưa nộp» under a supervisor's notice, and a chat
closed or opened again (someone blocked the bot)."""
