"""Outgoing webhooks into group chats (WeCom, DingTalk, generic JSON): an outbox filled in the transaction of
the event it announces, delivered by `flask deliver-webhooks` from a timer, never inside a request.

Why an outbox table and a timer rather than a task queue (huey with its SQLite storage, say): the alert is
committed with the event or not at all (a queue written beside the database can hold an alert of a report
that was rolled back, or lose one that was committed); the outbox is also the delivery log the admin reads;
coalescing for DingTalk's 20 messages a minute is one query over what waits; and nothing else has to run:
systemd or cron starts the command every minute, as it already starts the daily pass, on SQLite or
PostgreSQL alike. A minute's delay is fine for a group chat.
"""
