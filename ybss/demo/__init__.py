"""The synthetic demo county, modelled on 合阳县 (610524): ``ybss demo [--scale S] [--seed N] [--reset]``.

``generate.py`` makes the rows (pure, deterministic for a seed), ``load.py`` writes them in bulk,
``management/commands/demo.py`` ties the two together. Every demo user signs in with
:data:`DEMO_PASSWORD`.
"""

from __future__ import annotations

DEMO_PASSWORD = "Heyang@2026"

#: One demo user per role (role value, username), 金水派出所 users for the station roles.
DEMO_LOGINS: tuple[tuple[str, str], ...] = (
    ("admin", "admin"),
    ("supervisor", "supervisor"),
    ("investigator", "investigator"),
    ("auditor", "auditor"),
    ("chief", "jinshui_chief"),
    ("officer", "jinshui_officer1"),
    ("collector", "jinshui_collector1"),
)


def demo_logins() -> list[tuple[str, str]]:
    """(role label, username) for each role whose demo user exists in the database.

    Empty when the demo county has not been loaded. Reads the database (for ``ybss serve``).
    """
    from ybss.org.models import Role, User

    usernames = [username for _role, username in DEMO_LOGINS]
    existing = set(User.objects.filter(username__in=usernames).values_list("username", flat=True))
    return [(str(Role(role).label), username) for role, username in DEMO_LOGINS if username in existing]
