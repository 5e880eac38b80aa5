"""What each kind of webhook receives: the body of a message, and DingTalk's signed address.

WeCom group bot: https://developer.work.weixin.qq.com/document/path/91770 (msgtype markdown, content).
DingTalk group bot: https://open.dingtalk.com/document/robots/custom-robot-access (msgtype markdown, title
and text; with "加签" the URL carries `timestamp` (ms) and `sign`, URL-encoded:
base64(HMAC-SHA256(key=secret, timestamp + "\\n" + secret))).
"""

import base64
import hashlib
import hmac
from urllib.parse import quote_plus, urlsplit, urlunsplit

from server.webhooks.models import DINGTALK, WECOM


def markdown(title: str, lines: list[str]) -> str:
    """Return the message as the markdown both bots read: a heading, then one line per item."""
    return "\n".join([f"### {title}", *(f"- {line}" for line in lines)])


def body(webhook_format: str, event: str, title: str, lines: list[str]) -> dict:
    """Return the JSON body a webhook of this format receives for the message."""
    if webhook_format == WECOM:
        return {"msgtype": "markdown", "markdown": {"content": markdown(title, lines)}}
    if webhook_format == DINGTALK:
        return {"msgtype": "markdown", "markdown": {"title": title, "text": markdown(title, lines)}}
    return {"event": event, "title": title, "lines": lines}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """Return DingTalk's signature of the timestamp (base64 of the HMAC-SHA256), not yet URL-encoded."""
    digest = hmac.new(secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signed_url(url: str, secret: str, timestamp_ms: int) -> str:
    """Return the DingTalk bot URL with its `timestamp` and URL-encoded `sign` query parameters added."""
    parts = urlsplit(url)
    added = f"timestamp={timestamp_ms}&sign={quote_plus(dingtalk_sign(secret, timestamp_ms))}"
    return urlunsplit(parts._replace(query=f"{parts.query}&{added}" if parts.query else added))
