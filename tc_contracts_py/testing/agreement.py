"""Does a model accept exactly what its schema accepts?

``check_agreement(Model, "User", schema_set=…)`` runs generated valid payloads and
near misses through both the schema (the contract) and the model, and reports:

- **looser**: the model accepts a payload the schema rejects (a near miss got through);
- **stricter**: the model rejects a payload the schema accepts.

Payloads reach the model the way they arrive on the wire: as JSON text, through the
model's ``TypeAdapter.validate_json`` (``mode="python"`` uses ``validate_python`` on the
value instead). The model is any generated type: ``BaseModel``, ``RootModel``, ``Enum`` or a
type alias.

Near misses that add an undeclared key are *tolerated*, not findings, when the models
were generated with ``unknown-properties = strip``: dropping such keys is that policy
(and what a plain ``z.object()`` does). Findings of one kind at one place are grouped,
and each group keeps its smallest payload.
"""

from __future__ import annotations

import contextlib
import json
import re
import signal
import threading
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from hypothesis import HealthCheck, Phase, given, seed, settings
from pydantic import TypeAdapter, ValidationError

from tc_contracts_py.config import UnknownProperties
from tc_contracts_py.ecma_regex import PatternTooCostly, costly_pattern, refusal_count
from tc_contracts_py.errors import InputError
from tc_contracts_py.pointer import to_pointer
from tc_contracts_py.schemaset import Schema, SchemaSet
from tc_contracts_py.testing.adapters import adapter_for, type_label, validate
from tc_contracts_py.testing.strategies import (
    DEFAULT_MAX_DEPTH,
    NearMiss,
    SchemaCompiler,
    Target,
    payloads_found,
    resolve_target,
)
from tc_contracts_py.testing.validation import Semantics

__all__ = ["AgreementReport", "Finding", "check_agreement"]

Side = Literal["looser", "stricter"]
_INDEX = re.compile(r"/\d+(?=/|$)")


@dataclass(frozen=True)
class Finding:
    """One disagreement between a model and its schema, with the smallest payload showing it."""

    schema: str
    side: Side
    kind: str  # looser: the near miss's keyword; stricter: the model's error type
    pointer: str  # where in the payload
    detail: str
    payload: Any
    occurrences: int = 1

    @property
    def group(self) -> tuple[str, str, str]:
        # Known payloads are grouped by their reason; generated ones by keyword and place.
        where = self.detail if self.kind == "given" else _INDEX.sub("/*", self.pointer)
        return (self.side, self.kind, where)

    def describe(self) -> str:
        what = (
            "model accepts what the schema rejects"
            if self.side == "looser"
            else "model rejects what the schema accepts"
        )
        payload = json.dumps(self.payload, ensure_ascii=False, sort_keys=True, default=str)
        if len(payload) > 300:
            payload = payload[:299] + "…"
        seen = f" (seen {self.occurrences}x)" if self.occurrences > 1 else ""
        return (
            f"{self.schema}: {self.side}: {what}: {self.kind} at {self.pointer or '/'}: "
            f"{self.detail}{seen}\n    payload: {payload}"
        )


@dataclass
class AgreementReport:
    schema: str
    findings: list[Finding] = field(default_factory=list)
    tolerated: list[Finding] = field(default_factory=list)
    valid_checked: int = 0
    invalid_checked: int = 0

    @property
    def ok(self) -> bool:
        return not self.findings

    @property
    def looser(self) -> list[Finding]:
        return [f for f in self.findings if f.side == "looser"]

    @property
    def stricter(self) -> list[Finding]:
        return [f for f in self.findings if f.side == "stricter"]

    def summary(self) -> str:
        status = "agrees" if self.ok else f"{len(self.findings)} disagreement(s)"
        tolerated = f", {len(self.tolerated)} tolerated by policy" if self.tolerated else ""
        return (
            f"{self.schema}: {status} ({self.valid_checked} valid payloads, "
            f"{self.invalid_checked} near misses{tolerated})"
        )


class _Collector:
    def __init__(self, name: str) -> None:
        self.name = name
        self.groups: dict[tuple[str, str, str], Finding] = {}
        self.tolerated: dict[tuple[str, str, str], Finding] = {}

    def add(self, finding: Finding, *, tolerated: bool = False) -> None:
        target = self.tolerated if tolerated else self.groups
        current = target.get(finding.group)
        if current is None:
            target[finding.group] = finding
            return
        count = current.occurrences + 1
        keep = finding if _size(finding.payload) < _size(current.payload) else current
        target[finding.group] = Finding(
            keep.schema, keep.side, keep.kind, keep.pointer, keep.detail, keep.payload, count
        )


def _size(payload: Any) -> int:
    return len(json.dumps(payload, default=str))


# One payload through one model. Generous: only a backtracking pattern gets near it.
MODEL_BUDGET_SECONDS = 2.0


class ModelTooCostly(InputError):
    """A model took longer than the budget to validate one payload (a backtracking pattern)."""


class _Expired(BaseException):  # not an Exception: nothing on the way may swallow it
    pass


@contextlib.contextmanager
def _time_budget(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds``, where a timer can: the main thread, no timer set.

    A model on ``regex_engine="python-re"`` runs ``re``, which backtracks without limit on
    ``^(a+)+$`` but checks for signals while it does.
    """
    if (
        not hasattr(signal, "setitimer")
        or threading.current_thread() is not threading.main_thread()
        or signal.getitimer(signal.ITIMER_REAL)[0] > 0
    ):
        yield
        return

    def expire(signum: int, frame: Any) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _model_errors(adapter: TypeAdapter[Any], payload: Any, mode: str) -> list[dict[str, Any]]:
    try:
        with _time_budget(MODEL_BUDGET_SECONDS):
            return _validate(adapter, payload, mode)
    except _Expired:
        label = type_label(getattr(adapter, "_type", adapter))
        raise ModelTooCostly(
            f"{label}: validating one payload took over {MODEL_BUDGET_SECONDS} s "
            "(a backtracking pattern on regex_engine='python-re'?): too costly to check"
        ) from None


def _validate(adapter: TypeAdapter[Any], payload: Any, mode: str) -> list[dict[str, Any]]:
    try:
        validate(adapter, payload, "json" if mode == "json" else "python")
    except ValidationError as exc:
        return [dict(error) for error in exc.errors(include_url=False)]
    except Exception as exc:  # noqa: BLE001 - a validator that crashes is a finding, not our crash
        # pydantic turns only ValueError and AssertionError into validation errors.
        return [{"type": f"raised {type(exc).__name__}", "loc": (), "msg": str(exc)}]
    return []


def check_agreement(
    model: Any,
    schema: str | Schema | Mapping[str, Any],
    *,
    schema_set: SchemaSet | None = None,
    examples: int = 50,
    derandomize: bool = True,
    unknown_properties: UnknownProperties = UnknownProperties.STRIP,
    semantics: Semantics = "zod",
    mode: Literal["json", "python"] = "json",
    max_depth: int = DEFAULT_MAX_DEPTH,
    extra_valid: Iterable[Any] = (),
    extra_invalid: Iterable[Any | NearMiss] = (),
    compiler: SchemaCompiler | None = None,
) -> AgreementReport:
    """Compare ``model`` with ``schema`` on generated payloads (and any given ones).

    ``extra_valid`` / ``extra_invalid`` add known payloads (for example Zod-checked
    fixtures; an invalid one may be a ``NearMiss`` carrying why it is invalid). They are
    classified by the schema, not trusted blindly.
    """
    adapter = adapter_for(model)
    if isinstance(schema, str) and schema_set is not None:
        schema = schema_set[schema]
    name = _schema_name(model, schema)
    target = resolve_target(
        schema, schema_set=schema_set, max_depth=max_depth, semantics=semantics, compiler=compiler
    )
    checker = _Checker(
        name, adapter, mode, tolerate_extra_keys=unknown_properties is UnknownProperties.STRIP
    )
    _run_generated(target, checker, examples=examples, derandomize=derandomize)
    for item in [*extra_valid, *extra_invalid]:
        checker.check_known(target, item)
    return checker.finish()


def _schema_name(model: Any, schema: str | Schema | Mapping[str, Any]) -> str:
    if isinstance(schema, Schema):
        return schema.name
    if isinstance(schema, Mapping):
        return str(schema.get("title", type_label(model)))
    return schema


class _Checker:
    """Runs payloads through the model and collects what disagrees with the schema."""

    def __init__(
        self, name: str, adapter: TypeAdapter[Any], mode: str, *, tolerate_extra_keys: bool
    ) -> None:
        self.name = name
        self.adapter = adapter
        self.mode = mode
        self.tolerate_extra_keys = tolerate_extra_keys
        self.collector = _Collector(name)
        self.report = AgreementReport(name)

    def check_valid(self, payload: Any) -> None:
        self.report.valid_checked += 1
        errors = _model_errors(self.adapter, payload, self.mode)
        if errors:
            first = errors[0]
            pointer = to_pointer(list(first.get("loc", ())))
            detail = "; ".join(
                f"{to_pointer(list(e.get('loc', ()))) or '/'}: {e.get('msg', '')}"
                for e in errors[:3]
            )
            kind = str(first.get("type", "error"))
            self.collector.add(Finding(self.name, "stricter", kind, pointer, detail, payload))

    def check_near_miss(self, miss: NearMiss) -> None:
        self.report.invalid_checked += 1
        if _model_errors(self.adapter, miss.payload, self.mode):
            return
        finding = Finding(self.name, "looser", miss.kind, miss.pointer, miss.detail, miss.payload)
        tolerated = self.tolerate_extra_keys and miss.kind == "additionalProperties"
        self.collector.add(finding, tolerated=tolerated)

    def check_known(self, target: Target, item: Any) -> None:
        """A given payload, classified by the contract itself, not by where it came from."""
        miss = item if isinstance(item, NearMiss) else None
        payload = miss.payload if miss is not None else item
        if target.validator.is_valid(payload):
            self.check_valid(payload)
            return
        if miss is None:
            miss = NearMiss(payload, "", "given", "a known invalid payload")
        stripped = target.compiler.without_undeclared(payload, target.node, target.loc)
        if stripped != payload and target.validator.is_valid(stripped):
            # Invalid only through undeclared keys: what the unknown-properties policy is about.
            miss = NearMiss(payload, miss.pointer, "additionalProperties", miss.detail)
        self.check_near_miss(miss)

    def finish(self) -> AgreementReport:
        self.report.findings = sorted(self.collector.groups.values(), key=lambda f: f.group)
        self.report.tolerated = sorted(self.collector.tolerated.values(), key=lambda f: f.group)
        return self.report


# Derandomized runs draw from these seeds: the digests hypothesis took of the check functions'
# source when they were closures here, kept so that the same payloads are generated (hypothesis
# would otherwise derive the seed from the source text, and any edit would change the payloads).
_VALID_SEED = int(
    "9d8661be8fa9f6dafec1a431c4d8662e88c83c4917e6d254"
    "9d696e338613716772b6eaf723e2826499b9892969311838",
    16,
)
_NEAR_MISS_SEED = int(
    "681075cbf2cb2c3a7fe84ce258f3cfd1e78c3d9dc5c4e2c4"
    "013294fb475ea97d9b0afb732cce4d5807e33edc590d6a21",
    16,
)


def _run_generated(target: Target, checker: _Checker, *, examples: int, derandomize: bool) -> None:
    """Generated valid payloads, then near misses, through ``checker``."""
    run_settings = settings(
        max_examples=max(1, examples),
        derandomize=derandomize,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    valid, near_misses = target.valid(), target.near_misses()

    # hypothesis marks the test function itself, which a bound method does not allow.
    def check_valid(payload: Any) -> None:
        checker.check_valid(payload)

    def check_near_miss(miss: NearMiss) -> None:
        checker.check_near_miss(miss)

    refusals_before = refusal_count()
    try:
        valid_test = given(valid)(run_settings(check_valid))
        near_miss_test = given(near_misses)(run_settings(check_near_miss))
        if derandomize:
            valid_test = seed(_VALID_SEED)(valid_test)
            near_miss_test = seed(_NEAR_MISS_SEED)(near_miss_test)
        with payloads_found(target.loc.base):
            valid_test()
            near_miss_test()
    except (PatternTooCostly, ModelTooCostly):
        raise
    except Exception:
        # Raised inside a strategy, a too costly pattern reaches hypothesis's replay, which
        # reports flaky generation instead: name the pattern.
        costly = costly_pattern(since=refusals_before)
        if costly is not None:
            raise PatternTooCostly(costly[0], costly[1]) from None
        raise
