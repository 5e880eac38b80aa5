"""Administration pages: users, zones, categories, imports. Rules stay in the domains' services."""
