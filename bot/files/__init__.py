"""Files as links: a .docx, .xlsx or chart offered at a signed, expiring address the bot serves
itself (Zalo carries no files), for the one person it was made for."""
