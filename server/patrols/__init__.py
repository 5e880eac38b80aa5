"""Patrol visits (巡查记录): who was at which zone when, and what they found."""
