"""How long a bulletin (通报) of the full county takes: counting the day's rates, the draft (the
snapshot) and the issue (charts, PDF, Word, Excel).

    python bench/bulletin_bench.py [--data-dir DIR] [--scale 1] [--out DIR] [--repeat 3]

Uses the demo county in ``--data-dir`` (SQLite; work on a copy of /work/benchdata, never the
original) when it holds one, else builds one there (or in a temporary folder) at ``--scale``.
Target: draft + issue under 10 s at scale 1 (the rates already counted; the count is shown apart).
``--out`` keeps the last bulletin's PDF, Word and Excel files there for a look.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="")
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--out", default="")
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    data_dir = args.data_dir or tempfile.mkdtemp(prefix="ybss-bulletin-")
    os.environ["YBSS_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "ybss.settings.dev"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from ybss.demo.load import database_is_empty

    call_command("migrate", verbosity=0)
    if database_is_empty():
        print(f"building the demo county at scale {args.scale} in {data_dir} …", file=sys.stderr)
        call_command("demo", scale=args.scale, seed=7, verbosity=0)

    from ybss.org.models import PoliceUnitKind, Role, User
    from ybss.registry.models import Person
    from ybss.supervision import bulletins, rates

    sup = (
        User.objects.filter(role=Role.SUPERVISOR, police_unit__kind=PoliceUnitKind.COUNTY_BUREAU)
        .select_related("police_unit")
        .order_by("pk")
        .first()
    )
    assert sup is not None, "the demo county has no county supervisor"
    day = timezone.localdate()
    t = time.perf_counter()
    rates.rates_refresh(day=day, trigger="command")
    count_s = time.perf_counter() - t
    drafts, issues, pages = [], [], 0
    last = None
    for _ in range(args.repeat):
        t = time.perf_counter()
        draft = bulletins.bulletin_draft(actor=sup, as_of=day)
        drafts.append(time.perf_counter() - t)
        t = time.perf_counter()
        last = bulletins.bulletin_issue(actor=sup, bulletin=draft)
        issues.append(time.perf_counter() - t)
    assert last is not None
    # Baseline in the same run: one appointment slip (a one-page WeasyPrint PDF with the same fonts),
    # the smallest document the platform renders.
    from ybss.collection.models import Appointment
    from ybss.collection.slips import appointment_slip_pdf

    slip_s = None
    appointment = Appointment.objects.order_by("pk").first()
    if appointment is not None:
        appointment_slip_pdf(appointment, base_url="http://ybss.local")  # warm
        runs = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            appointment_slip_pdf(appointment, base_url="http://ybss.local")
            runs.append(time.perf_counter() - t)
        slip_s = statistics.median(runs)
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(bytes(last.pdf))
    pages = len(pdf)
    pdf.close()
    if args.out:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        for kind in ("pdf", "docx", "xlsx"):
            (out / f"bulletin.{kind}").write_bytes(bytes(getattr(last, kind)))
    persons = Person.objects.count()
    print(f"bulletin benchmark — {persons} persons, {len(last.content['stations'])} stations, SQLite")
    print(f"  count the day's rates          {count_s:6.2f} s")
    print(f"  draft (snapshot)    median     {statistics.median(drafts):6.2f} s   first {drafts[0]:.2f} s")
    print(f"  issue (render)      median     {statistics.median(issues):6.2f} s   first {issues[0]:.2f} s")
    print(
        f"  draft + issue, first           {drafts[0] + issues[0]:6.2f} s   (target < 10 s)   "
        f"PDF {len(last.pdf) // 1024} KiB, {pages} pages; Word {len(last.docx) // 1024} KiB; "
        f"Excel {len(last.xlsx) // 1024} KiB"
    )
    total = statistics.median(drafts) + statistics.median(issues)
    print(
        f"  baseline: count the day's rates {count_s:6.2f} s   "
        f"draft + issue (median) ÷ count = {total / count_s:.2f}×"
    )
    if slip_s:
        print(
            f"  baseline: one appointment slip  {slip_s:6.2f} s   "
            f"draft + issue (median) ÷ slip = {total / slip_s:.1f}×"
        )


if __name__ == "__main__":
    main()
