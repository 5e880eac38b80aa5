"""Special inspections (专项检查): checklist templates, campaigns over zones, and their answers."""
