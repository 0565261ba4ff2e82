"""contract.max_quarantined, applied alike by validate (quarantined rows) and batch scoring
(rejected rows): too large a share of refused rows stops the run, after the outputs are written."""

from __future__ import annotations

from collections.abc import Mapping

from churn.errors import ChurnError


def check_refused_share(
    rows_in: int,
    by_reason: Mapping[str, int],
    limit: float,
    where: str,
    kept: tuple[str, str],
    advice: Mapping[str, str] | None = None,
) -> None:
    """Stop when more than `limit` of rows_in were refused (by_reason: how many per reason);
    kept: (what refused rows are called, the file that holds them); advice: what to do when the
    commonest reason starts with a key of it."""
    refused = sum(by_reason.values())
    if refused <= limit * rows_in:
        return
    verb, path = kept
    reason, count = max(by_reason.items(), key=lambda item: item[1])
    hints = [text for start, text in (advice or {}).items() if reason.startswith(start)]
    raise ChurnError(
        f"{where}: {refused} of {rows_in} rows {verb}, more than contract.max_quarantined "
        f"({limit:.0%}); most for {reason} ({count}{'; ' + hints[0] if hints else ''}); see {path}"
    )
