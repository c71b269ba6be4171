"""The `ybss` console command: Django's management commands with ybss settings.

`ybss serve`, `ybss demo`, `ybss migrate`, `ybss createsuperuser` ... all go through here, the way
Label Studio and Sentry ship a Django app as a product.
"""

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ybss.settings.dev")
    from django.core.management import execute_from_command_line

    execute_from_command_line(["ybss", *(argv if argv is not None else sys.argv[1:])])


if __name__ == "__main__":
    main()
