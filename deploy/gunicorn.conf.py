"""gunicorn settings for production: `gunicorn -c deploy/gunicorn.conf.py 'server:create_app()'`.

Threads, not only processes: a photo report keeps its worker busy while Pillow decodes and re-encodes it
(about 30 ms for a phone-sized photo, several hundred for a 12 MP original). With sync workers a supervisor's
list waits behind every upload in front of it; with gthread each request gets a thread, so a list is
answered while uploads are processed beside it. Pillow and SQLite release the GIL during their work, so the
threads of one process really overlap. Processes: one per core (plus one), so a stuck request cannot hold
the whole app. nginx (deploy/nginx.conf) buffers slow uploads from phones before they reach gunicorn, so a
thread is never held by a phone on a weak signal.
Every value can be overridden with GUNICORN_* environment variables below, or on the command line.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
worker_class = "gthread"
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() + 1))
threads = int(os.environ.get("GUNICORN_THREADS", 4))
# A 40 MB upload arrives from nginx at loopback speed; 60 s is ample and frees a thread held by a bug.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 60))
graceful_timeout = 30
# Only nginx talks to gunicorn, a new connection per request (deploy/nginx.conf keeps none to its upstream):
# phones keep theirs to nginx. A direct client must reuse a connection as browsers do (bench/_soak.py).
keepalive = 5
# Recycle a worker now and then: a long-lived process's memory grows with image buffers.
max_requests = 2000
max_requests_jitter = 200
# nginx on this machine sets X-Forwarded-*; the app trusts one proxy (XUNJIAN_PROXY_COUNT=1).
forwarded_allow_ips = "127.0.0.1"
# Access log to a file that logrotate (deploy/logrotate) rotates; errors to journald via stderr.
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "/var/log/xunjian/access.log")
errorlog = "-"
loglevel = "info"
