"""Exception hierarchy.

Library code raises these and never prints or exits; the CLI maps each family
to one exit code (see ``tc_contracts_py.cli.common.ExitCode``).
"""

from __future__ import annotations


class ContractsError(Exception):
    """Base of every error this library raises on purpose. Its message is redacted."""

    def __init__(self, *args: object) -> None:
        from tc_contracts_py.redaction import redact

        super().__init__(*(redact(arg) if isinstance(arg, str) else arg for arg in args))


class InputError(ContractsError):
    """Bad input: a file, schema, reference or option the user gave is wrong (exit 2)."""


class SchemaError(InputError):
    """A schema document is unusable. Names the file and the JSON pointer inside it."""

    def __init__(self, file: str, pointer: str, message: str) -> None:
        self.file = file
        self.pointer = pointer or ""
        self.reason = message
        location = f"{file}#{self.pointer}" if self.pointer else file
        super().__init__(f"{location}: {message}")


class ConfigError(InputError):
    """``[tool.tc-contracts]`` or a command-line option is invalid."""


class SourceError(InputError):
    """A schema source string cannot be parsed or does not exist."""


class CodegenError(ContractsError):
    """Model generation failed for a reason that is not the input's fault."""


class OperationalError(ContractsError):
    """Something outside the input failed: network, registry, filesystem (exit 3)."""


class RegistryError(OperationalError):
    """The OCI registry could not be reached or answered with an error."""


class IntegrityError(OperationalError):
    """Content did not match its pinned digest or size, or an archive is hostile."""


class OfflineError(OperationalError):
    """Offline mode was requested and the content is not in the cache."""
