"""Resource detection: service name inference, container id, Kubernetes, user overrides."""

from __future__ import annotations

import pytest

from otelward.config import Settings
from otelward.startup._resource import build_resource, container_id, infer_service_name

CASES = [
    pytest.param(["python3", "/srv/shop/app.py"], "shop", id="script-generic-name-uses-dir"),
    pytest.param(["python3", "billing.py"], "billing", id="script"),
    pytest.param(["python3", "-m", "myjob.main"], "myjob", id="module"),
    pytest.param(["/v/bin/gunicorn", "-w", "2", "examples.flask_app.app:app"], "flask_app", id="gunicorn"),
    pytest.param(["python", "-m", "uvicorn", "shop.api:app", "--workers", "2"], "api", id="uvicorn-module"),
    pytest.param(["celery", "-A", "proj", "worker"], "proj", id="celery"),
    pytest.param(["python3", "-X", "importtime", "script.py"], "script", id="interpreter-options"),
    pytest.param(["python3", "-c", "print(1)"], "demo", id="command-string-falls-back-to-cwd"),
    pytest.param([], "demo", id="empty"),
    # Issue #16 item 8: option values are not the app (these inferred "0" before).
    pytest.param(["gunicorn", "-b", "0.0.0.0:8000", "shop.wsgi:app"], "shop", id="gunicorn-bind-value"),
    pytest.param(
        ["gunicorn", "--bind", "127.0.0.1:80", "-w", "4", "shop.wsgi:app"], "shop", id="gunicorn-long-opts"
    ),
    pytest.param(["gunicorn", "--bind=0.0.0.0:8000", "shop.wsgi"], "shop", id="gunicorn-equals-form"),
    pytest.param(["uvicorn", "--host", "0.0.0.0", "main:app"], "demo", id="uvicorn-host-generic-module"),
    pytest.param(
        ["uvicorn", "--host", "0.0.0.0", "--port", "8000", "billing.main:app"],
        "billing",
        id="uvicorn-host-port",
    ),
    pytest.param(["hypercorn", "-b", "[::1]:8000", "orders.asgi:app"], "orders", id="hypercorn-ipv6-bind"),
    pytest.param(["gunicorn", "-c", "conf.py", "shop.wsgi:app"], "shop", id="config-file-value"),
]


@pytest.mark.parametrize(("argv", "expected"), CASES)
def test_infer_service_name(argv: list[str], expected: str) -> None:
    assert infer_service_name(argv, "/srv/demo") == expected


def test_container_id_from_cgroup_v1_and_mountinfo(tmp_path) -> None:
    cid = "a" * 64
    v1 = tmp_path / "cgroup"
    v1.write_text(f"12:memory:/docker/{cid}\n")
    assert container_id([str(v1)]) == cid
    mi = tmp_path / "mountinfo"
    mi.write_text(f"100 90 0:50 /var/lib/containerd/io/{cid}/hostname /etc/hostname rw\n")
    assert container_id([str(tmp_path / "missing"), str(mi)]) == cid
    plain = tmp_path / "plain"
    plain.write_text("0::/user.slice\n")
    assert container_id([str(plain)]) is None


def test_resource_attributes_and_kubernetes(caplog) -> None:
    env = {
        "OTEL_SERVICE_NAME": "checkout",
        "OTEL_RESOURCE_ATTRIBUTES": "service.version=9.9,team=pay",
        "OTELWARD_ENVIRONMENT": "prod",
        "POD_NAME": "checkout-1",
        "K8S_NAMESPACE_NAME": "shop",
    }
    attrs = dict(build_resource(Settings.from_env(env)).attributes)
    assert attrs["service.name"] == "checkout"
    assert attrs["service.version"] == "9.9"
    assert attrs["team"] == "pay"
    assert attrs["deployment.environment.name"] == "prod"
    assert attrs["k8s.pod.name"] == "checkout-1"
    assert attrs["k8s.namespace.name"] == "shop"
    assert attrs["service.instance.id"]
    assert attrs["telemetry.distro.name"] == "otelward"
    assert not [r for r in caplog.records if "OTEL_SERVICE_NAME" in r.getMessage()]


def test_missing_service_name_is_inferred_with_one_warning(caplog) -> None:
    attrs = dict(build_resource(Settings.from_env({}), argv=["python3", "inventory.py"]).attributes)
    assert attrs["service.name"] == "inventory"
    warnings = [r for r in caplog.records if "OTEL_SERVICE_NAME" in r.getMessage()]
    assert len(warnings) == 1
    assert "inventory" in warnings[0].getMessage()
