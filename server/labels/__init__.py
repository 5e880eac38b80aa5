"""QR labels for zones: the printable sheet and the PNG/PDF files."""
