"""Declarations: Kubernetes downward-API variables read into the resource."""

from __future__ import annotations

from otelward.config._parsing import EnvVar
from otelward.config._vars._common import Kind, declare

__all__ = ["KUBERNETES_VARS", "VARS"]

# Downward-API names: the k8s.* attribute each one fills. Both spellings seen in the wild are accepted.
KUBERNETES_VARS: dict[str, str] = {
    "K8S_POD_NAME": "k8s.pod.name",
    "POD_NAME": "k8s.pod.name",
    "K8S_POD_UID": "k8s.pod.uid",
    "POD_UID": "k8s.pod.uid",
    "K8S_NAMESPACE_NAME": "k8s.namespace.name",
    "POD_NAMESPACE": "k8s.namespace.name",
    "K8S_NODE_NAME": "k8s.node.name",
    "NODE_NAME": "k8s.node.name",
    "K8S_CONTAINER_NAME": "k8s.container.name",
    "K8S_DEPLOYMENT_NAME": "k8s.deployment.name",
}

VARS: tuple[EnvVar, ...] = tuple(
    declare(
        name,
        Kind.STR,
        None,
        "checkout-7d9f8b-xk2p" if "NAME" in name else "3f1c...",
        f"Fills `{attr}`.",
        "kubernetes",
    )
    for name, attr in KUBERNETES_VARS.items()
)
