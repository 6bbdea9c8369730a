"""Reports entered for communes by the province: from a file or typed in chat, checked and written in batches."""
