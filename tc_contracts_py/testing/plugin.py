"""pytest plugin: a round-trip test and an agreement test for every contract, for free.

Enabled by ``--tc-contracts SOURCE`` or by a ``[tool.tc-contracts.testing]`` table in
the project's ``pyproject.toml`` (or ``tc-contracts.toml``)::

    [tool.tc-contracts]
    artifact = "ghcr.io/org/contracts-schemas:1.4.0@sha256:…"   # the pinned source
    package = "ai_coach.models"                                  # the generated models
    out = "src/ai_coach/models"

    [tool.tc-contracts.testing]
    examples = 25            # hypothesis examples per test (or --tc-examples / TC_FUZZ_EXAMPLES)
    schemas = ["User"]       # only these (default: all)
    exclude = ["Legacy"]     # not these
    allow = ["User:looser:format:/createdAt"]   # known gaps: Schema:side:kind[:pointer] globs

For each schema it adds ``test_round_trip[<Name>]`` and ``test_agreement[<Name>]``
(with a models package), or ``test_payloads[<Name>]`` (a self-check of the schema's
generated payloads and near misses, without one). Fixtures: ``contracts`` (a
``Contracts``) and ``contract_models`` (the models package). Under CI (``CI`` set)
example generation is derandomized, so runs are reproducible.

The tests are added when the whole suite is collected; when specific node ids are
selected (``path::test``) they are left out. Use ``-k round_trip`` to pick them.
"""

from __future__ import annotations

import argparse
import os
import warnings
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

# Every pytest run of a project that installs this package loads this plugin, configured or
# not, and reads the config: the rest of the kit (hypothesis, pydantic, the sources) is
# imported where a configured run first needs it.
from tc_contracts_py.config import ProjectConfig, find_config, registry_settings
from tc_contracts_py.errors import ConfigError, ContractsError

if TYPE_CHECKING:
    import hypothesis

    from tc_contracts_py.testing.contracts import Contracts

DEFAULT_EXAMPLES = 25
_STATE_KEY = pytest.StashKey["_PluginState"]()
_NOT_CONFIGURED = (
    "tc-contracts is not configured: pass --tc-contracts SOURCE (and --tc-models PACKAGE) "
    "or add a [tool.tc-contracts.testing] table to pyproject.toml"
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("tc-contracts", "contract tests generated from JSON Schemas")
    group.addoption(
        "--tc-contracts",
        dest="tc_contracts",
        metavar="SOURCE",
        default=None,
        help="schema source (directory, .tar.gz, OCI reference, oci-layout:PATH, …); "
        "enables the generated contract tests",
    )
    group.addoption(
        "--tc-models",
        dest="tc_models",
        metavar="PACKAGE",
        default=None,
        help="generated models package (module name or directory)",
    )
    group.addoption(
        "--tc-examples",
        dest="tc_examples",
        metavar="N",
        type=example_count,
        default=None,
        help=f"hypothesis examples per generated test (default {DEFAULT_EXAMPLES}, "
        "or TC_FUZZ_EXAMPLES)",
    )


def example_count(text: str) -> int:
    """A count of examples: a whole number of at least 1; anything else is refused, not bent."""
    try:
        value = int(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} examples: at least 1 is needed")
    return value


def _configured_examples(option: int | None, testing: Mapping[str, Any]) -> int:
    """--tc-examples, then TC_FUZZ_EXAMPLES, then the config's ``examples``, then the default."""
    if option is not None:
        return option
    sources: list[tuple[str, Any]] = [
        ("TC_FUZZ_EXAMPLES", os.environ.get("TC_FUZZ_EXAMPLES") or None),
        ("[tool.tc-contracts.testing] examples", testing.get("examples")),
    ]
    for where, value in sources:
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, str)):
            raise pytest.UsageError(f"tc-contracts: {where}: {value!r} is not a whole number")
        try:
            return example_count(str(value))
        except argparse.ArgumentTypeError as exc:
            raise pytest.UsageError(f"tc-contracts: {where}: {exc}") from None
    return DEFAULT_EXAMPLES


def running_in_ci() -> bool:
    value = os.environ.get("CI", "")
    return value.strip().lower() not in ("", "0", "false", "no")


@dataclass
class _PluginState:
    source: str | None
    models: str | Path | None
    examples: int
    derandomize: bool
    include: list[str] = field(default_factory=list)
    exclude: list[str] = field(default_factory=list)
    allow: list[str] = field(default_factory=list)
    config: ProjectConfig | None = None
    _contracts: Contracts | None = None
    _stale: tuple[str] | None = None

    @property
    def active(self) -> bool:
        return self.source is not None

    @property
    def contracts(self) -> Contracts:
        if self.source is None:
            raise pytest.UsageError(_NOT_CONFIGURED)
        if self._contracts is None:
            # Deliberately lazy: see the note on the imports.
            from tc_contracts_py.source_spec import ENV_CACHE_DIR
            from tc_contracts_py.sources import SourceOptions
            from tc_contracts_py.testing.contracts import Contracts

            offline = bool(self._testing_table().get("offline", False))
            try:
                # The same settings as every command, without flags: $TC_CONTRACTS_* > config.
                registry = registry_settings(self.config)
                env_cache = os.environ.get(ENV_CACHE_DIR)
                cache_dir = Path(env_cache) if env_cache else None
                if cache_dir is None and self.config is not None:
                    cache_dir = self.config.cache_dir
                self._contracts = Contracts.load(
                    self.source,
                    models=self.models,
                    options=SourceOptions(
                        cache_dir=cache_dir,
                        offline=offline,
                        insecure=registry.insecure,
                        ca_file=registry.ca_file,
                        connect_timeout=registry.timeout,
                        progress=False,
                    ),
                )
            except ContractsError as exc:
                raise pytest.UsageError(f"tc-contracts: {exc}") from None
        return self._contracts

    def stale_models(self) -> str | None:
        """Models generated from another release than the source: say so, not a diff."""
        if self._stale is None:
            self._stale = (_stale_models(self.contracts) or "",)
        return self._stale[0] or None

    def _testing_table(self) -> dict[str, Any]:
        if self.config is None:
            return {}
        return dict(self.config.section("testing"))

    def schema_names(self) -> list[str]:
        names = self.contracts.names
        if self.include:
            unknown = sorted(set(self.include) - set(names))
            if unknown:
                raise pytest.UsageError(f"tc-contracts: no schema named {', '.join(unknown)}")
            names = [name for name in names if name in self.include]
        return [name for name in names if name not in self.exclude]

    def settings(self) -> hypothesis.settings:
        # Deliberately lazy: see the note on the imports.
        from hypothesis import HealthCheck, Phase, settings

        checks = [HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large]
        # The explain phase re-runs a shrunk failure hundreds of times to annotate it; the
        # round-trip report already names what changed, so it only costs time.
        phases = [phase for phase in Phase if phase is not Phase.explain]
        if self.derandomize:
            # Reproducible runs: no example database to replay from another run.
            return settings(
                max_examples=self.examples,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=checks,
                phases=phases,
            )
        return settings(
            max_examples=self.examples,
            deadline=None,
            suppress_health_check=checks,
            phases=phases,
        )


def _stale_models(contracts: Contracts) -> str | None:
    # Deliberately lazy: see the note on the imports.
    from tc_contracts_py.codegen import MANIFEST, provenance_of, read_provenance, source_change

    if not contracts.has_models:
        return None
    folder = Path(getattr(contracts.models, "__file__", None) or ".").parent
    if not (folder / MANIFEST).is_file():
        return None  # hand-written models record no release
    return source_change(read_provenance(folder), provenance_of(contracts.schema_set))


def _resolve_source(text: str, root: Path) -> str:
    """Relative paths in the config file are relative to that file, not to the cwd."""
    prefix = ""
    rest = text
    if text.startswith("oci-layout:"):
        prefix, rest = "oci-layout:", text.removeprefix("oci-layout:")
    if "://" in rest or rest.startswith("git:"):
        return text
    head = rest.split("@", 1)[0]
    candidate = Path(head)
    if not candidate.is_absolute() and (root / candidate).exists():
        return prefix + str(root / rest)
    if prefix and not candidate.is_absolute():
        # oci-layout:PATH:tag — the path part is before the last colon.
        path_part, sep, tag = rest.rpartition(":")
        if sep and (root / path_part).exists():
            return f"{prefix}{root / path_part}:{tag}"
    return text


def _state_from(config: pytest.Config) -> _PluginState:
    source = config.getoption("tc_contracts")
    models: str | Path | None = config.getoption("tc_models")
    examples_option = config.getoption("tc_examples")
    try:
        project = find_config(config.rootpath)
        testing = dict(project.section("testing")) if project.table else {}
    except ConfigError as exc:
        if source is None:
            # Not asked for: a config this plugin cannot read must not break unrelated suites.
            return _PluginState(
                source=None, models=None, examples=DEFAULT_EXAMPLES, derandomize=False
            )
        raise pytest.UsageError(f"tc-contracts: {exc}") from None
    enabled = bool(testing) and testing.get("enabled", True) is not False
    if source is None and enabled:
        configured = testing.get("source") or project.artifact
        if isinstance(configured, str):
            source = _resolve_source(configured, project.root)
    if source is not None and models is None and (enabled or config.getoption("tc_contracts")):
        models = _models_from(project, testing)
    # Checked only when the contract tests run: another suite may use TC_FUZZ_EXAMPLES its way.
    examples = (
        _configured_examples(examples_option, testing) if source is not None else DEFAULT_EXAMPLES
    )
    return _PluginState(
        source=source,
        models=models,
        examples=examples,
        derandomize=running_in_ci() or bool(testing.get("derandomize", False)),
        include=_names(testing.get("schemas")),
        exclude=_names(testing.get("exclude")),
        allow=_names(testing.get("allow")),
        config=project if project.table else None,
    )


def _models_from(project: ProjectConfig, testing: dict[str, Any]) -> str | Path | None:
    import importlib.util

    configured = testing.get("models") or project.package
    out = project.out
    if isinstance(configured, str):
        try:
            if importlib.util.find_spec(configured) is not None:
                return configured
        except (ImportError, ValueError):
            pass
    if out is not None and (out / "__init__.py").is_file():
        return out
    return configured if isinstance(configured, str) else None


def _allowed(finding: Any, patterns: list[str]) -> bool:
    """Whether a finding is a known, accepted gap: ``Schema:side:kind[:pointer]`` globs."""
    from fnmatch import fnmatchcase

    key = f"{finding.schema}:{finding.side}:{finding.kind}:{finding.pointer or '/'}"
    return any(
        fnmatchcase(key, pattern if pattern.count(":") >= 3 else pattern + ":*")
        for pattern in patterns
    )


def _names(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(item) for item in value]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "tc_contracts: a test generated by the tc-contracts plugin")
    config.stash[_STATE_KEY] = _state_from(config)


def _state(config: pytest.Config) -> _PluginState:
    return config.stash[_STATE_KEY]


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(
    session: pytest.Session, config: pytest.Config, items: list[pytest.Item]
) -> None:
    state = _state(config)
    if not state.active:
        return
    if any("::" in str(arg) for arg in config.args):
        return
    state.schema_names()  # load now: a bad source is a usage error, not a collection error
    collector = ContractsCollector.from_parent(session, name="tc-contracts", nodeid="tc-contracts")
    # genitems reports the collection like any other, so counts and -k/-m selection see them.
    items.extend(session.genitems(collector))


class ContractsCollector(pytest.Collector):
    """The generated tests: one round trip and one agreement test per schema."""

    def collect(self) -> Iterator[ContractItem]:
        state = _state(self.config)
        kinds = ("round_trip", "agreement") if state.models is not None else ("payloads",)
        for kind in kinds:
            for name in state.schema_names():
                yield ContractItem.from_parent(
                    self, name=f"test_{kind}[{name}]", kind=kind, schema_name=name
                )

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, "tc-contracts"


class AllowedContractGap(UserWarning):
    """A disagreement listed in ``[tool.tc-contracts.testing] allow``: reported, not failed."""


class ContractFailure(AssertionError):
    """A generated contract test found a problem; the message is the report."""


class ContractItem(pytest.Item):
    def __init__(self, *, kind: str, schema_name: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.kind = kind
        self.schema_name = schema_name
        self.add_marker(pytest.mark.tc_contracts)

    def runtest(self) -> None:
        state = _state(self.config)
        contracts = state.contracts
        if self.kind in ("round_trip", "agreement"):
            stale = state.stale_models()
            if stale is not None:
                raise ContractFailure(f"{self.schema_name}: {stale}")
        if self.kind == "round_trip":
            self._round_trip(state, contracts)
        elif self.kind == "agreement":
            self._agreement(state, contracts)
        else:
            self._payloads(state, contracts)

    def _round_trip(self, state: _PluginState, contracts: Contracts) -> None:
        # Deliberately lazy: see the note on the imports.
        from hypothesis import given

        from tc_contracts_py.testing.strategies import payloads_found

        name = self.schema_name
        contracts.adapter(name)  # fail early, outside hypothesis, when it is missing

        @state.settings()
        @given(contracts.payloads(name))
        def round_trip(payload: Any) -> None:
            contracts.assert_round_trip(name, payload)

        with payloads_found(contracts.entry(name).filename):
            round_trip()

    def _agreement(self, state: _PluginState, contracts: Contracts) -> None:
        # Deliberately lazy: see the note on the imports.
        from tc_contracts_py.testing.agreement import check_agreement

        report = check_agreement(
            contracts.adapter(self.schema_name),
            contracts.entry(self.schema_name),
            schema_set=contracts.schema_set,
            examples=state.examples,
            derandomize=state.derandomize,
            unknown_properties=contracts.unknown_properties,
            semantics=contracts.semantics,
            compiler=contracts.compiler,
        )
        allowed = [f for f in report.findings if _allowed(f, state.allow)]
        failing = [f for f in report.findings if f not in allowed]
        for finding in allowed:
            warnings.warn(AllowedContractGap(finding.describe()), stacklevel=1)
        if failing:
            lines = [report.summary()]
            lines.extend(finding.describe() for finding in failing)
            if allowed:
                lines.append(f"({len(allowed)} more allowed by [tool.tc-contracts.testing] allow)")
            raise ContractFailure("\n".join(lines))

    def _payloads(self, state: _PluginState, contracts: Contracts) -> None:
        # Deliberately lazy: see the note on the imports.
        from hypothesis import given

        from tc_contracts_py.testing.strategies import payloads_found

        name = self.schema_name
        validator = contracts.validator(name)

        @state.settings()
        @given(contracts.payloads(name))
        def valid(payload: Any) -> None:
            errors = contracts.violations(name, payload)
            if errors:
                raise ContractFailure(f"generated payload violates {name}: {errors}")

        @state.settings()
        @given(contracts.invalid_payloads(name))
        def invalid(miss: Any) -> None:
            if validator.is_valid(miss.payload):
                raise ContractFailure(f"near miss {miss} is accepted by {name}")

        with payloads_found(contracts.entry(name).filename):
            valid()
            invalid()

    def repr_failure(
        self,
        excinfo: pytest.ExceptionInfo[BaseException],
        style: Any = None,
    ) -> str:
        # Deliberately lazy: see the note on the imports.
        from tc_contracts_py.errors import SchemaError
        from tc_contracts_py.testing.roundtrip import RoundTripError

        error = excinfo.value
        if isinstance(error, (RoundTripError, ContractFailure)):
            notes = getattr(error, "__notes__", [])
            return "\n".join([str(error), *notes])
        if isinstance(error, SchemaError):  # the contract itself is at fault: one line says where
            return str(error)
        if isinstance(error, pytest.UsageError):
            return str(error)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, None, f"tc-contracts: {self.name}"


@pytest.fixture(scope="session")
def contracts(request: pytest.FixtureRequest) -> Contracts:
    """The configured ``Contracts`` (schemas, cached validators, strategies, models)."""
    state = _state(request.config)
    if not state.active:
        pytest.fail(_NOT_CONFIGURED, pytrace=False)
    return state.contracts


@pytest.fixture(scope="session")
def contract_models(contracts: Contracts) -> Any:
    """The generated models package (``contract_models.User``)."""
    if not contracts.has_models:
        pytest.fail("tc-contracts: no models package configured (--tc-models)", pytrace=False)
    return contracts.models
