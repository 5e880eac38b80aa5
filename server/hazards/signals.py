"""What the hazard domain tells the others, as blinker signals (STYLE.md, habit 12: arrows point one way).

`event_recorded` is sent inside the transaction that writes a hazard's event, after the event has its id and
before the commit: a receiver's rows (a notification, say) are committed with the event or not at all.
Sender: the Hazard; keyword arguments: `event` (the HazardEvent just written).
"""

from blinker import Namespace

_signals = Namespace()

event_recorded = _signals.signal("hazard-event-recorded")
