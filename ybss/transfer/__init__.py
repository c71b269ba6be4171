"""Bulk import and export of the four entities (Excel/CSV templates); DOMAIN.md §4, issue 3."""
