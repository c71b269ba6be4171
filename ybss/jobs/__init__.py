"""Background jobs: web imports and exports that run outside the request, with their progress."""
