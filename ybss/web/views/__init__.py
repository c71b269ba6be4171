"""Server-rendered pages, one module per subject. Each view: parse input → one selector or service
call → render. Every view declares its scoping with ``common.scoped`` or ``common.not_scoped``."""
