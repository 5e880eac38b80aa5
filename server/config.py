"""Default settings. instance/config.py, then XUNJIAN_* environment variables, override them."""

# The school's own name and place; shown on labels, pages and the public board.
SCHOOL_NAME = "淄博市特殊教育中心"
# The URL the QR labels encode: https://HOST (no trailing slash). Phones open it with their own camera.
PUBLIC_BASE_URL = "http://127.0.0.1:5000"

# The database: SQLite in instance/ unless DATABASE_URL (or XUNJIAN_SQLALCHEMY_DATABASE_URI) says otherwise.
SQLALCHEMY_DATABASE_URI = None
SQLALCHEMY_ENGINE_OPTIONS: dict = {}

# Language and time: Chinese first; the database keeps UTC, pages show the school's time zone.
BABEL_DEFAULT_LOCALE = "zh_CN"
BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"
LANGUAGES = {"zh_CN": "中文", "en": "English"}

# Cookies. Set XUNJIAN_SECURE_COOKIES=true when served over HTTPS (behind the TLS proxy).
SECURE_COOKIES = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_DURATION = 60 * 60 * 24 * 30  # patrol phones stay signed in for a month
PERMANENT_SESSION_LIFETIME = 60 * 60 * 24 * 30

# CSRF tokens must outlive an offline walk: the PWA fetches a fresh one at send time anyway.
WTF_CSRF_TIME_LIMIT = None
WTF_CSRF_HEADERS = ["X-CSRFToken", "X-CSRF-Token"]

# Sign-in limits: failed attempts allowed in any LOGIN_LIMIT_MINUTES, per account and per address (a school
# shares one address, so the account counts too). Kept in the database, so every worker process sees them.
LOGIN_LIMIT_PER_ACCOUNT = 10
LOGIN_LIMIT_PER_ADDRESS = 100
LOGIN_LIMIT_MINUTES = 15

# How passwords are hashed (werkzeug.security.generate_password_hash's method). Existing hashes made with
# another method still verify, since each hash names its own method.
PASSWORD_HASH_METHOD = "scrypt"  # noqa: S105  (a method name, not a password)

# Number of reverse proxies in front of the app (X-Forwarded-For / -Proto) when deployed behind one.
PROXY_COUNT = 0

# Uploads: the whole request, and the import spreadsheet.
MAX_CONTENT_LENGTH = 40 * 1024 * 1024
IMPORT_MAX_ROWS = 5000

# QR labels: where the CLI writes, and the CJK font (found on the system when not set).
LABELS_DIR = None  # default: qr_labels/ beside the server package
CJK_FONT_PATH = None
CJK_FONT_INDEX = None

# The hazard loop. Default rectification period when a category sets none (days); major hazards get half of
# it, critical ones a single day. Auto-assignment sends each new report straight to the zone's responsible
# person (when that person is an active rectifier) instead of the supervisors' queue.
DEFAULT_RECTIFICATION_DAYS = 7
AUTO_ASSIGN_TO_RESPONSIBLE = False
# A record counts as "done on site" when made at most this long after scanning the zone's QR label.
ON_SITE_WINDOW_MINUTES = 30
# Photos per record (a report's before photos, a rectification's after photos, a recheck's photos).
MAX_PHOTOS_PER_RECORD = 6

# Photos (server/media): what one uploaded photo may be, and how it is kept. The request as a whole is capped
# by MAX_CONTENT_LENGTH above; each photo is re-encoded to a clean JPEG with every piece of metadata removed.
PHOTO_MAX_BYTES = 15 * 1024 * 1024  # one uploaded photo file (413 above it)
# Width x height read from the header; larger pictures are refused before any pixel is decoded. (Pillow's own
# process-wide guard, Image.MAX_IMAGE_PIXELS, refuses above about 179 MP whatever this says.)
PHOTO_MAX_PIXELS = 50_000_000
PHOTO_MAX_EDGE = 1600  # long edge of the stored photo, in pixels (only ever downsized)
PHOTO_THUMB_EDGE = 400  # long edge of its thumbnail
PHOTO_JPEG_QUALITY = 82
MEDIA_STORAGE = "local"  # where photo files live; "local" is a folder on this server
MEDIA_ROOT = None  # default: instance/media, outside the web root (the only folder `flask backup` copies)

# The public board (公示) at /board: figures per zone, building, category and department; no names, no
# sign-in.
# False answers 404 there. The page refreshes itself this often (a hall TV), unless a viewer pauses it.
BOARD_ENABLED = True
BOARD_REFRESH_SECONDS = 300

# The escalation ladder (server/notifications/services.py): a hazard overdue by more than this many days
# is flagged 督办 (under supervision) by the daily pass.
ESCALATE_AFTER_DAYS = 3

# Outgoing webhooks (server/webhooks): delivered by `flask deliver-webhooks` from a timer, never in a request.
# A failed delivery is tried again after WEBHOOK_BACKOFF_SECONDS, doubling each time, up to the attempts;
# each run sends each webhook one message, joining at most WEBHOOK_BATCH waiting ones (DingTalk allows about
# 20 messages a minute; the timer runs every minute).
WEBHOOK_TIMEOUT_SECONDS = 10
WEBHOOK_MAX_ATTEMPTS = 8
WEBHOOK_BACKOFF_SECONDS = 60
WEBHOOK_BATCH = 10
