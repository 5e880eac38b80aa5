"""Outgoing webhooks into group chats (WeCom, DingTalk, generic JSON): an outbox filled in the transaction of
the event it announces, delivered by `flask deliver-webhooks` from a timer, never inside a request."""
