"""The public API never raises into the caller, whatever objects the app hands it."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import otelward
from otelward.management import register_readiness_check, unregister_readiness_check


class Hostile:
    """Every dunder the API might touch raises."""

    def __repr__(self) -> str:
        raise RuntimeError("repr bomb")

    def __str__(self) -> str:
        raise RuntimeError("str bomb")

    def __eq__(self, other: object) -> bool:
        raise RuntimeError("eq bomb")

    def __hash__(self) -> int:
        raise RuntimeError("hash bomb")

    def __len__(self) -> int:
        raise RuntimeError("len bomb")

    def __iter__(self) -> Any:
        raise RuntimeError("iter bomb")


class HostileMapping(dict):  # type: ignore[type-arg]
    def items(self) -> Any:
        raise RuntimeError("items bomb")

    def keys(self) -> Any:
        raise RuntimeError("keys bomb")


# Factories, not objects: hypothesis itself would hash and repr the hostile objects.
FACTORIES = {
    "hostile": Hostile,
    "hostile-mapping": lambda: HostileMapping(a=1),
    "huge-int": lambda: 10**5000,  # repr raises ValueError (int max str digits)
    "huge-list": lambda: list(range(200_000)),
    "huge-str": lambda: "x" * 1_000_000,
    "nested": lambda: [[[[[[[[["deep"]]]]]]]]],
    "bytes": lambda: b"\xff\x00",
    "none": lambda: None,
    "nan": lambda: float("nan"),
}
HOSTILE = st.sampled_from(sorted(FACTORIES)).map(lambda key: FACTORIES[key])


@settings(max_examples=60, deadline=None)
@given(make=HOSTILE)
def test_traced_records_any_argument_without_raising(make: Any) -> None:
    # An argument whose __repr__ raised used to throw out of the decorated call.
    @otelward.traced(attributes_from=("value",))
    def work(value: Any) -> str:
        return "done"

    assert work(make()) == "done"


@settings(max_examples=40, deadline=None)
@given(make=HOSTILE)
def test_span_accepts_hostile_names_and_attributes(make: Any) -> None:
    value = make()
    with otelward.span(value, attributes=value):  # type: ignore[arg-type]
        pass
    with otelward.span("ok", attributes={"k": value}):  # the SDK drops invalid values with a warning
        pass


@pytest.mark.filterwarnings("ignore::UserWarning")
@settings(max_examples=40, deadline=None)
@given(name=HOSTILE, check=HOSTILE)
def test_readiness_check_registration_never_raises(name: Any, check: Any) -> None:
    made_name, made_check = name(), check()
    register_readiness_check(made_name, made_check)
    unregister_readiness_check(made_name)


def test_the_decorated_function_still_raises_its_own_errors() -> None:
    @otelward.traced(attributes_from=("value",))
    def boom(value: Any) -> None:
        raise KeyError("mine")

    with pytest.raises(KeyError, match="mine"):
        boom(Hostile())
