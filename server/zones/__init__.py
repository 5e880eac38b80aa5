"""Safety-responsibility zones (责任区) and their QR tokens."""
