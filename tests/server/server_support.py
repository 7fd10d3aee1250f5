"""Constants the server tests and their fixtures share."""

BASE_URL = "http://127.0.0.1:8742"
ADMIN_PASSWORD = "correct horse battery staple"


def assert_one_line(r: object, status: int | tuple[int, ...]) -> None:
    """``r`` answered ``status`` (one of them) with a one-line JSON ``detail`` and no traceback."""
    wanted = status if isinstance(status, tuple) else (status,)
    assert r.status_code in wanted, r.text  # type: ignore[attr-defined]
    detail = r.json()["detail"]  # type: ignore[attr-defined]
    assert isinstance(detail, str)
    assert "\n" not in detail
    assert "Traceback" not in detail
