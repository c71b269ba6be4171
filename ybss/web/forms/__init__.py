"""Forms of the web UI: the shape layer (DOMAIN/STYLE: shape → business rules → constraints)."""
