"""`ybss boundary load|list|remove`: the drawn boundaries of divisions and police units.

* ``ybss boundary load FILE.geojson --division CODE | --police-unit CODE [--system GCJ02]
  [--user USERNAME] [--reason TEXT]`` draws (or replaces) one boundary from a GeoJSON file (all
  its polygons merged), converted to WGS-84 from ``--system`` (default WGS84).
* ``ybss boundary list`` prints one line per boundary.
* ``ybss boundary remove --division CODE | --police-unit CODE``.

Without ``--user`` the change is recorded as the installation's operator (no user); with it, the
user must be a county admin.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ybss.core.errors import AppError
from ybss.mapping import selectors, services
from ybss.mapping.geometry import SYSTEMS
from ybss.mapping.models import Boundary
from ybss.org.models import User


def _owner_args(parser: Any) -> None:
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--division", default="", help="12-digit division code / 行政区划代码")
    group.add_argument("--police-unit", default="", help="12-digit police-unit code / 公安机关代码")


class Command(BaseCommand):
    help = "Load, list or remove drawn boundaries. / 导入、列出或删除辖区边界。"

    def add_arguments(self, parser: Any) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load", help="load a GeoJSON boundary / 导入 GeoJSON 边界")
        load.add_argument("file", help="a .geojson / .json file")
        _owner_args(load)
        load.add_argument("--system", default="WGS84", choices=SYSTEMS, help="coordinate system drawn in")
        load.add_argument("--user", default="", help="act as this county admin (username)")
        load.add_argument("--reason", default="", help="kept in the history")
        sub.add_parser("list", help="list the boundaries / 列出边界")
        remove = sub.add_parser("remove", help="remove one boundary / 删除边界")
        _owner_args(remove)
        remove.add_argument("--user", default="", help="act as this county admin (username)")
        remove.add_argument("--reason", default="", help="kept in the history")

    def handle(self, *args: Any, **opts: Any) -> None:
        action = opts["action"]
        if action == "list":
            for b in selectors.boundary_table():
                self.stdout.write(
                    f"{b.owner_code}\t{b.owner.name}\t{b.vertex_count}\t"
                    f"{b.min_lng:.6f},{b.min_lat:.6f},{b.max_lng:.6f},{b.max_lat:.6f}\t{b.drawn_in}"
                )
            return
        actor = self._actor(opts["user"])
        if action == "load":
            self._load(actor, opts)
        else:
            self._remove(actor, opts)

    def _actor(self, username: str) -> User | None:
        if not username:
            return None
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"没有用户 {username} / no active user {username}")
        if not services.can_edit_boundaries(user):
            raise CommandError(f"{username} 不是县级管理员 / {username} is not a county admin")
        return user

    def _load(self, actor: User | None, opts: dict[str, Any]) -> None:
        path = Path(opts["file"])
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"无法读取 {path} / cannot read {path}: {exc.strerror}") from exc
        try:
            b = services.boundary_save(
                actor=actor,
                text=data,
                division_code=opts["division"],
                police_unit_code=opts["police_unit"],
                system=opts["system"],
                source=path.name,
                reason=opts["reason"] or f"ybss boundary load {path.name}",
            )
        except AppError as err:
            raise CommandError(_messages(err)) from err
        self.stdout.write(
            f"已保存 {b.owner.name} 的边界（{b.vertex_count} 个顶点）/ "
            f"saved the boundary of {b.owner_code} ({b.vertex_count} vertices)"
        )

    def _remove(self, actor: User | None, opts: dict[str, Any]) -> None:
        owner = (
            {"division_id": opts["division"]} if opts["division"] else {"police_unit_id": opts["police_unit"]}
        )
        b = Boundary.objects.filter(**owner).first()
        if b is None:
            raise CommandError("没有这条边界 / no such boundary")
        services.boundary_delete(actor=actor, boundary_id=b.pk, reason=opts["reason"])
        self.stdout.write("已删除 / removed")


def _messages(err: AppError) -> str:
    parts = [f"{field}: {m}" for field, msgs in err.fields.items() for m in msgs]
    return "\n".join(parts) or str(err.message)
