"""Sending the outbox: run by `flask deliver-webhooks` from a timer every minute, never inside a request.

Each run sends each webhook at most one message: the messages waiting for it are joined into one (DingTalk
allows about 20 a minute, so a busy morning becomes one summary, not a flood). A message that fails is tried
again after WEBHOOK_BACKOFF_SECONDS, doubled at each attempt, and given up after WEBHOOK_MAX_ATTEMPTS. The
rows are claimed (their next attempt moved past the run) and the transaction is ended before any network
call, so no database lock is held while a bot answers slowly.
"""

import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from server.database import utcnow
from server.extensions import db
from server.webhooks import formats
from server.webhooks.models import DINGTALK, FAILED, PENDING, SENT, Webhook, WebhookDelivery


@dataclass
class Message:
    """One POST to one webhook, carrying one or more queued deliveries."""

    webhook_id: int
    delivery_ids: list[int]
    attempts: int  # the attempt this is (the highest among the deliveries it carries)
    url: str
    body: dict


def backoff(attempts: int) -> timedelta:
    """Return how long to wait after the given number of failed attempts (doubling each time)."""
    return timedelta(seconds=current_app.config["WEBHOOK_BACKOFF_SECONDS"] * 2 ** (attempts - 1))


def post(url: str, body: dict, timeout: float) -> tuple[int | None, str]:
    """POST the body as JSON; return the HTTP status (None if none came) and what went wrong ("" if nothing).

    WeCom and DingTalk answer 200 with a non-zero `errcode` when they refuse (a bad signature, say).
    """
    request = urllib.request.Request(url, data=json.dumps(body, ensure_ascii=False).encode(),  # noqa: S310
                                     headers={"Content-Type": "application/json; charset=utf-8"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310  (services check http(s))
            status, text = response.status, response.read(4096).decode(errors="replace")
    except urllib.error.HTTPError as exc:
        return exc.code, f"HTTP {exc.code}: {exc.read(500).decode(errors='replace')}"
    except (OSError, ValueError) as exc:  # refused, timed out, unreachable
        return None, str(exc)[:500]
    try:
        answer = json.loads(text)
    except ValueError:
        return status, ""
    if isinstance(answer, dict) and answer.get("errcode") not in (None, 0):
        return status, f"errcode {answer.get('errcode')}: {answer.get('errmsg', '')}"[:500]
    return status, ""


def _join(rows: list[WebhookDelivery]) -> tuple[str, str, list[str]]:
    # One delivery goes as it is; several become one summary, each message's title a line of its own.
    if len(rows) == 1:
        return rows[0].event, rows[0].title, list(rows[0].lines)
    lines = [part for row in rows for part in (f"**{row.title}**", *row.lines)]
    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        title = str(_l("%(n)d alerts from %(school)s", n=len(rows), school=current_app.config["SCHOOL_NAME"]))
    return "summary", title, lines


def claim(now: datetime) -> list[Message]:
    """Take the deliveries due at `now`, joined into one message per webhook, and commit the claim."""
    batch = current_app.config["WEBHOOK_BATCH"]
    due = db.session.scalars(select(WebhookDelivery).join(Webhook).where(
        WebhookDelivery.status == PENDING, WebhookDelivery.next_attempt_at <= now, Webhook.active)
        .order_by(WebhookDelivery.webhook_id, WebhookDelivery.id))
    by_webhook: dict[int, list[WebhookDelivery]] = {}
    for row in due:
        rows = by_webhook.setdefault(row.webhook_id, [])
        if len(rows) < batch:
            rows.append(row)
    messages = []
    for webhook_id, rows in by_webhook.items():
        webhook = rows[0].webhook
        attempts = max(r.attempts for r in rows) + 1
        event, title, lines = _join(rows)
        url = webhook.url
        if webhook.format == DINGTALK and webhook.secret:
            url = formats.signed_url(url, webhook.secret, int(time.time() * 1000))
        for row in rows:  # claimed: another run started meanwhile leaves them alone
            row.attempts = attempts
            row.next_attempt_at = now + backoff(attempts)
        messages.append(Message(webhook_id, [r.id for r in rows], attempts, url,
                                formats.body(webhook.format, event, title, lines)))
    db.session.commit()
    return messages


def record(message: Message, status: int | None, error: str, now: datetime) -> str:
    """Write the outcome of one message into its deliveries; return their new status."""
    gave_up = bool(error) and message.attempts >= current_app.config["WEBHOOK_MAX_ATTEMPTS"]
    outcome = SENT if not error else FAILED if gave_up else PENDING
    rows = db.session.scalars(select(WebhookDelivery).where(WebhookDelivery.id.in_(message.delivery_ids)))
    for row in rows:
        row.status, row.last_status, row.last_error = outcome, status, error
        if outcome == SENT:
            row.sent_at = now
    db.session.commit()
    return outcome


def deliver(now: datetime | None = None, send=post) -> dict[str, int]:
    """Send what is due; count the messages sent, to be retried and given up."""
    now = now or utcnow()
    counts = {SENT: 0, PENDING: 0, FAILED: 0}
    timeout = current_app.config["WEBHOOK_TIMEOUT_SECONDS"]
    for message in claim(now):
        status, error = send(message.url, message.body, timeout)
        counts[record(message, status, error, now)] += 1
    return counts
