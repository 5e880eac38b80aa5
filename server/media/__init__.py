"""Photos: intake (check and re-encode uploads), storage behind a small interface, and serving."""

from server.media.images import ProcessedPhoto, process_photo

__all__ = ["ProcessedPhoto", "process_photo"]
