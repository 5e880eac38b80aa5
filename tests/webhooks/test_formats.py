"""Message bodies as the WeCom and DingTalk group bots' documents specify, and DingTalk's signature."""

import pytest

from server.webhooks import formats

TITLE, LINES = "重大隐患 #7 锅炉房", ["消防安全", "灭火器过期"]
MARKDOWN = "### 重大隐患 #7 锅炉房\n- 消防安全\n- 灭火器过期"


@pytest.mark.parametrize(("webhook_format", "expected"), [
    ("wecom", {"msgtype": "markdown", "markdown": {"content": MARKDOWN}}),
    ("dingtalk", {"msgtype": "markdown", "markdown": {"title": TITLE, "text": MARKDOWN}}),
    ("json", {"event": "major_hazard", "title": TITLE, "lines": LINES}),
])
def test_body_per_format(webhook_format, expected):
    assert formats.body(webhook_format, "major_hazard", TITLE, LINES) == expected


# Worked out apart from the code: echo -n $'1700000000000\nSEC123' | openssl dgst -sha256 -hmac SEC123 -binary
# | base64, then URL-encoded.
@pytest.mark.parametrize(("url", "secret", "timestamp", "expected"), [
    ("https://oapi.dingtalk.com/robot/send?access_token=abc", "SEC123", 1700000000000,
     "https://oapi.dingtalk.com/robot/send?access_token=abc&timestamp=1700000000000"
     "&sign=lkcPI1uoxBY1gUnCnnPH1Kkru0Hqjo7rFpA3haIVhEQ%3D"),
    ("https://bot.example/send", "SECsecret", 1733100000123,
     "https://bot.example/send?timestamp=1733100000123&sign=M%2BKkBiEH0KhIpe40PROsPIkDlKoi1M8pHiFrup%2Br1hg%3D"),
])
def test_dingtalk_signed_url(url, secret, timestamp, expected):
    assert formats.signed_url(url, secret, timestamp) == expected
