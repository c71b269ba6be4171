"""`ybss audit_verify`: recompute the audit log's hash chain; exit 1 at the first broken link."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from ybss.audit.services import verify_chain


class Command(BaseCommand):
    help = "Verify the audit log's hash chain. / 校验审计日志哈希链。"

    def handle(self, *args: Any, **opts: Any) -> None:
        report = verify_chain()
        if not report.ok:
            raise CommandError(
                f"审计日志在第 {report.broken_at} 条处被篡改 / the chain breaks at event {report.broken_at} "
                f"({report.checked} checked)"
            )
        self.stdout.write(self.style.SUCCESS(f"审计日志完整 / audit chain intact: {report.checked} events"))
