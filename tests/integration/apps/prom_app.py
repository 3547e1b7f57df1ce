"""The Flask example plus what a hardware-minded service records: a gauge per worker, joules, bandwidth.

Imported by each gunicorn worker after the fork, so every worker sets its own reading of 41.5 °C.
"""

from opentelemetry import metrics

from examples.flask_app.app import app

__all__ = ["app"]

_meter = metrics.get_meter("shop.hw", "1.0")
_meter.create_gauge("hw.temperature", unit="Cel", description="Board temperature.").set(
    41.5, {"hw.id": "board"}
)
_meter.create_counter("hw.energy", unit="J", description="Energy drawn.").add(12.5, {"hw.id": "board"})
_meter.create_up_down_counter(
    "hw.network.bandwidth.limit", unit="By/s", description="Configured bandwidth cap."
).add(1000, {"hw.id": "nic0"})
