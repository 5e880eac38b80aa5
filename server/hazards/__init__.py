"""Hazards (隐患), their categories, the state machine and the history of events."""
