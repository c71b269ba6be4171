"""The logging filter keeps plain ID and mobile numbers out of log output."""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator

import pytest

from ybss.core.logging import RedactPersonalData

ID = "61052419800101123X"
MOBILE = "13812345678"


def make_record(msg: object, args: object = (), exc_info: object = None) -> logging.LogRecord:
    return logging.LogRecord("ybss.test", logging.WARNING, __file__, 1, msg, args, exc_info)  # type: ignore[arg-type]


@pytest.fixture
def stream_logger() -> Iterator[tuple[logging.Logger, io.StringIO]]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactPersonalData())
    logger = logging.getLogger("ybss.test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        yield logger, stream
    finally:
        logger.removeHandler(handler)


def test_filter_masks_ids_in_the_message() -> None:
    record = make_record(f"person {ID} saved")
    assert RedactPersonalData().filter(record) is True
    assert record.getMessage() == "person 610524********123X saved"


def test_filter_masks_string_args() -> None:
    record = make_record("person %s phone %s", (ID, MOBILE))
    RedactPersonalData().filter(record)
    assert record.getMessage() == "person 610524********123X phone 138****5678"


def test_filter_masks_non_string_args_without_crashing() -> None:
    record = make_record("phone %d, ratio %.1f, obj %r", (13812345678, 0.5, {"id": ID}))
    RedactPersonalData().filter(record)
    message = record.getMessage()
    assert MOBILE not in message
    assert ID not in message
    assert "ratio 0.5" in message


def test_filter_masks_mapping_args() -> None:
    record = make_record("id %(id)s", ({"id": ID},))
    RedactPersonalData().filter(record)
    assert record.getMessage() == "id 610524********123X"


def test_filter_keeps_clean_records_untouched() -> None:
    record = make_record("took %d ms for %s", (12, "house 18"))
    RedactPersonalData().filter(record)
    assert record.msg == "took %d ms for %s"
    assert record.args == (12, "house 18")


def test_filter_survives_a_bad_format_string() -> None:
    record = make_record("id %s and %s", (ID,))
    assert RedactPersonalData().filter(record) is True
    assert record.args == ("610524********123X",)


def test_filter_accepts_a_non_string_message() -> None:
    record = make_record(ValueError(f"bad id {ID}"))
    RedactPersonalData().filter(record)
    assert record.getMessage() == "bad id 610524********123X"


def test_handler_output_has_no_plain_ids_or_phones(stream_logger: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = stream_logger
    logger.warning("person %s phone %s", ID, MOBILE)
    output = stream.getvalue()
    assert ID not in output
    assert MOBILE not in output
    assert "610524********123X" in output


def test_handler_traceback_is_redacted(stream_logger: tuple[logging.Logger, io.StringIO]) -> None:
    logger, stream = stream_logger
    try:
        raise ValueError(f"cannot save {ID}")
    except ValueError:
        logger.exception("save failed")
    output = stream.getvalue()
    assert "Traceback" in output
    assert ID not in output
    assert "610524********123X" in output
