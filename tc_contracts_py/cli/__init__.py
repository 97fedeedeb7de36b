"""The ``tc-schema`` command line: a thin layer over the library.

Each command parses its options, calls one library function and hands the
result to a reporter. Errors map to exit codes here and only here (the codes
themselves: ``cli.common.ExitCode``).
"""

from __future__ import annotations

import contextlib
import gc
import importlib
import io
import os
import sys
import traceback
from collections.abc import Iterator
from typing import IO, Any

import click

import tc_contracts_py
from tc_contracts_py.cli.common import CheckFailed, ExitCode, exit_code_for, one_line
from tc_contracts_py.errors import ContractsError, os_error
from tc_contracts_py.redaction import redact


class OneLineUsageError(click.UsageError):
    """A usage error as one line, like every other error, instead of click's usage block."""

    def show(self, file: IO[Any] | None = None) -> None:
        hint = f" (see '{self.ctx.command_path} --help')" if self.ctx is not None else ""
        click.echo(f"error: {one_line(self.format_message())}{hint}", file=file, err=file is None)


def _one_line_usage(error: click.UsageError) -> click.UsageError:
    # A bare `tc-schema` still shows the help: that is a request for it, not a mistake.
    if isinstance(error, (click.exceptions.NoArgsIsHelpError, OneLineUsageError)):
        return error
    return OneLineUsageError(error.format_message(), error.ctx)


def _point_at_devnull(stream: IO[Any]) -> None:
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stream.fileno())
    except (OSError, ValueError, io.UnsupportedOperation):
        pass  # not a real file (a test runner's buffer): nothing will flush to a closed pipe


class _ReaderGoneTolerant:
    """A standard stream whose reader may leave (`tc-schema diff … | head -1`).

    Once a write or flush meets a closed pipe, later output is dropped and the command
    runs on to its own verdict: a failed check still exits 1, never 0 because nobody
    read the report. The descriptor is pointed at /dev/null so that the interpreter's
    final flush does not fail again.
    """

    def __init__(self, stream: IO[Any]) -> None:
        self._stream = stream
        self._gone = False

    def write(self, text: str) -> int:
        if not self._gone:
            try:
                self._stream.write(text)
            except BrokenPipeError:
                self._reader_left()
        return len(text)

    def flush(self) -> None:
        if not self._gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._reader_left()

    def _reader_left(self) -> None:
        self._gone = True
        _point_at_devnull(self._stream)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)


@contextlib.contextmanager
def _tolerate_readers_leaving() -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout = _ReaderGoneTolerant(sys.stdout)
    sys.stderr = _ReaderGoneTolerant(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = saved


def _report(ctx: click.Context, error: ContractsError) -> None:
    click.echo(f"error: {one_line(str(error))}", err=True)
    ctx.exit(exit_code_for(error))


# Each command's module, imported only when that command runs (or help lists them all):
# a `tc-schema diff` need not pay for the generator, the OCI client and the test tooling.
_COMMANDS: dict[str, tuple[str, str]] = {
    "gen": ("tc_contracts_py.cli.gen", "gen_command"),
    "push": ("tc_contracts_py.cli.oci", "push_command"),
    "lock": ("tc_contracts_py.cli.oci", "lock_command"),
    "pull": ("tc_contracts_py.cli.oci", "pull_command"),
    "check-models": ("tc_contracts_py.cli.testing", "check_models_command"),
    "diff": ("tc_contracts_py.cli.diff", "diff_command"),
    "rules": ("tc_contracts_py.cli.diff", "rules_command"),
    "changelog": ("tc_contracts_py.cli.changelog", "changelog_command"),
    "config-schema": ("tc_contracts_py.cli.config", "config_schema_command"),
    "upgrade": ("tc_contracts_py.cli.upgrade", "upgrade_command"),
    "impact": ("tc_contracts_py.cli.upgrade", "impact_command"),
}


class TcGroup(click.Group):
    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        known = super().get_command(ctx, cmd_name)
        if known is not None or cmd_name not in _COMMANDS:
            return known
        module_name, attribute = _COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(module_name), attribute)
        self.add_command(command, cmd_name)
        return command

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*self.commands, *_COMMANDS})

    def make_context(
        self,
        info_name: str | None,
        args: list[str],
        parent: click.Context | None = None,
        **extra: Any,
    ) -> click.Context:
        try:
            return super().make_context(info_name, args, parent=parent, **extra)
        except click.UsageError as error:
            raise _one_line_usage(error) from None

    def invoke(self, ctx: click.Context) -> Any:
        with _tolerate_readers_leaving():
            return self._invoke_reporting_errors(ctx)

    def _invoke_reporting_errors(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            raise _one_line_usage(error) from None
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except ContractsError as exc:
            _report(ctx, exc)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            ctx.exit(130)
        except BrokenPipeError:
            # Output through sys.stdout/stderr never gets here (_ReaderGoneTolerant); another
            # closed pipe left the command unfinished, so its verdict is unknown: never 0.
            _point_at_devnull(sys.stdout)
            click.echo("error: output pipe closed before the command finished", err=True)
            ctx.exit(ExitCode.OPERATIONAL)
        except OSError as exc:
            # An OS error the library did not name nearer its path is still the OS's verdict
            # (full, read-only, not permitted), not a bug of ours: the same one-line mapping.
            _report(ctx, os_error(exc))
        except Exception as exc:  # noqa: BLE001 - the last line of defence must catch everything
            if os.environ.get("TC_SCHEMA_DEBUG"):
                # Redacted too: an exception's text may carry a URL or header with a secret.
                click.echo(redact(traceback.format_exc()).rstrip("\n"), err=True)
            click.echo(
                f"internal error: {type(exc).__name__}: {one_line(str(exc))} "
                "(set TC_SCHEMA_DEBUG=1 for a traceback)",
                err=True,
            )
            ctx.exit(ExitCode.OPERATIONAL)


def _show_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    # Not click.version_option(__version__): that reads the package metadata on every run.
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"tc-schema, version {tc_contracts_py.__version__}")
    ctx.exit()


@click.group(cls=TcGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help="Show the version and exit.",
)
def cli() -> None:
    """Pull, generate, diff and test the tc contracts' JSON Schemas.

    Exit codes: 0 ok, 1 check failed, 2 usage or invalid input, 3 operational error.
    """


__all__ = ["CheckFailed", "ExitCode", "cli", "main"]


# A command loads whole schema sets (millions of small objects that live to the end) and
# then allocates much more: with the default thresholds, collections of the old generation
# walked those sets again and again, 10-20% of a `diff` of 1000 schemas. mypy raises its
# thresholds the same way. Only the command-line process is affected, never a library caller.
_GC_THRESHOLDS = (200_000, 30, 30)


def main(argv: list[str] | None = None) -> None:
    gc.set_threshold(*_GC_THRESHOLDS)
    cli.main(args=argv, prog_name="tc-schema")


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
