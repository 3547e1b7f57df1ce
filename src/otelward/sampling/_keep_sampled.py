"""The selector used without tail sampling: export spans whose W3C sampled flag is set."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from opentelemetry.context import Context
    from opentelemetry.sdk.trace import ReadableSpan, Span

__all__ = ["KeepSampled"]


class KeepSampled:
    """Export a span when it ends if its sampled flag is set; nothing is buffered."""

    def on_start(self, span: Span, parent_context: Context | None) -> None:
        """Nothing to track."""

    def on_end(self, span: ReadableSpan) -> Sequence[ReadableSpan]:
        """Return the span if it was sampled."""
        if span.context is not None and span.context.trace_flags.sampled:
            return (span,)
        return ()

    def shutdown(self) -> Sequence[ReadableSpan]:
        """Nothing is buffered."""
        return ()
