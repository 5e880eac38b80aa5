"""The public board (公示): this week's and this month's figures per zone, building, category and department,
and the hazards recently closed; no sign-in, no photos, no descriptions, no names of people."""
