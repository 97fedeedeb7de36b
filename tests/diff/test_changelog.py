"""``tc-schema changelog``: the fixture history in markdown, JSON and HTML; --since-tag over a
real git repository; escaping; the HTML page rendered by headless Chromium."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import zlib
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from tc_contracts_py.cli import cli
from tc_contracts_py.diff.changelog import release_pairs
from tc_contracts_py.errors import ConfigError
from tests.conftest import FIXTURES, ROOT, SCHEMAS
from tests.gitrepo import git

GOLDEN = Path(__file__).parent / "golden"
FIXTURE = "fixtures/schemas/zod-to-json-schema"
HISTORY = ("1.0.0", "1.1.0", "1.1.1", "2.0.0", "2.1.0")
EXPECTED = json.loads((FIXTURES / "expected-changes.json").read_text(encoding="utf-8"))


def run(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A contracts repository whose tags are the fixture releases, plus tags that must not count:
    a prerelease, another tag family, and an untagged commit after the last release."""
    repo = tmp_path_factory.mktemp("contracts")
    git(repo, "init", "-q")
    for version in HISTORY:
        shutil.rmtree(repo / "schemas", ignore_errors=True)
        shutil.copytree(SCHEMAS / "zod-to-json-schema" / version, repo / "schemas")
        git(repo, "add", "-A")
        git(repo, "commit", "-q", "-m", version)
        if version == "2.0.0":
            git(repo, "tag", "v0.1.0")  # the Python package's tags, say
        if version == "2.1.0":
            # a prerelease of 2.1.0 with a break that 2.1.0 itself does not have
            (repo / "schemas" / "User.json").write_text('{"type": "string"}')
            git(repo, "commit", "-q", "-am", "rc")
            git(repo, "tag", "contracts-v2.1.0-rc.1")
            git(repo, "checkout", "-q", "HEAD~1", "--", "schemas")
            git(repo, "commit", "-q", "-am", "2.1.0")
        git(repo, "tag", f"contracts-v{version}")
    (repo / "schemas" / "User.json").write_text('{"type": "integer"}')
    git(repo, "commit", "-q", "-am", "unreleased")
    return repo


@pytest.fixture(scope="module")
def notes(history: Path) -> dict[str, str]:
    """The history since contracts-v1.0.0 in each format (run once: each is four diffs)."""
    cwd = Path.cwd()
    os.chdir(history)
    try:
        results = {
            fmt: run("changelog", "--since-tag", "contracts-v1.0.0", "--format", fmt)
            for fmt in ("markdown", "json", "html")
        }
    finally:
        os.chdir(cwd)
    for fmt, result in results.items():
        assert result.exit_code == 0, (fmt, result.output)
    return {fmt: result.output for fmt, result in results.items()}


def test_json_has_every_release_newest_first_with_every_change(notes: dict[str, str]) -> None:
    document = json.loads(notes["json"])
    assert document["format_version"] == 1
    releases = document["releases"]
    pairs = [(r["old"]["version"], r["new"]["version"]) for r in releases]
    assert pairs == [("2.0.0", "2.1.0"), ("1.1.1", "2.0.0"), ("1.1.0", "1.1.1"), ("1.0.0", "1.1.0")]
    assert [r["old"]["source"] for r in releases][-1] == "git:contracts-v1.0.0:schemas"
    expected = {(p["from"], p["to"]): p for p in EXPECTED["pairs"]}
    for release in releases:
        pair = expected[(release["old"]["version"], release["new"]["version"])]
        assert release["required_bump"] == pair["bump"]
        names = [s["name"] for s in release["schemas"]]
        # grouped by schema: every schema the fixture changed has its group, and only those
        assert set(names) == {c["schema"] for c in pair["changes"]}
        assert len(names) == len(set(names))
        assert set(release["unchanged"]).isdisjoint(names)
        assert sum(release["counts"].values()) == len(names) + len(release["unchanged"])
        for schema in release["schemas"]:
            assert schema["changes"], schema["name"]
            assert {c["schema"] for c in schema["changes"]} == {schema["name"]}
            bumps = [c["bump"] for c in schema["changes"]]
            order = ["major", "minor", "patch", "none"]
            assert bumps == sorted(bumps, key=order.index)  # the highest bump first
            assert schema["bump"] == bumps[0]
        for change in pair["changes"]:
            group = next(s for s in release["schemas"] if s["name"] == change["schema"])
            if change["breaking"]:
                assert group["bump"] == "major", change
    minor = {s["name"]: s for s in releases[3]["schemas"]}
    # the additive changes are listed, not only the breaks
    assert minor["SessionFeedbackRequest"]["status"] == "added"
    assert [c["rule"] for c in minor["SessionFeedbackRequest"]["changes"]] == ["schema-added"]
    assert [c["rule"] for c in minor["Exercise"]["changes"]] == ["optional-property-added"]
    sort = minor["ListSessionsQuery"]["changes"][0]
    assert (sort["rule"], sort["path"], sort["bump"]) == ("enum-value-added", "sort", "minor")
    assert sort["witness"]["valid_under"] == "new"
    assert sort["witness"]["payload"]["sort"] == "durationMin_desc"
    patch = releases[2]
    assert {c["rule"] for s in patch["schemas"] for c in s["changes"]} == {"description-changed"}
    major = {s["name"]: s for s in releases[1]["schemas"]}
    status = next(
        c for c in major["TrainingSession"]["changes"] if c["rule"] == "enum-value-removed"
    )
    assert status["witness"] == {
        "payload": status["witness"]["payload"],
        "valid_under": "old",
        "rejected_by": "new",
    }
    assert status["witness"]["payload"]["status"] == "draft"
    assert len(releases[0]["schemas"]) == 13
    assert {s["status"] for s in releases[0]["schemas"]} == {"added"}


def test_markdown_sections_groups_and_witnesses(notes: dict[str, str]) -> None:
    text = notes["markdown"]
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## 2.1.0", "## 2.0.0", "## 1.1.1", "## 1.1.0"]
    major = text.split("## 2.0.0\n", 1)[1].split("## 1.1.1\n", 1)[0]
    assert "required bump **major**" in major
    assert "### `AthleteProfile` (model): **major**" in major
    added = major.split("### Schemas added: minor\n\n", 1)[1].split("\n\n", 1)[0]
    assert added.splitlines() == [
        "- `CoachAdviceResponseV1` (response)",
        "- `TrainingEventV2` (event)",
    ]
    assert (
        '- **major**: status: "draft" no longer allowed; breaks new readers (proven) '
        "`enum-value-removed`" in major
    )
    assert "<details><summary>witness: valid under 1.1.1, rejected by 2.0.0</summary>" in major
    assert '"status": "draft"' in major
    assert "Unchanged: `CoachAdviceRequest`, `CoachMessage`," in major
    # the prerelease and the other tag family are no releases; the unreleased commit is no tag
    assert "rc.1" not in text
    assert "0.1.0" not in text


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: Counter[str] = Counter()
        self.attributes: list[tuple[str, str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags[tag] += 1
        self.attributes += [(tag, name, value) for name, value in attrs]

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parsed(page: str) -> _Elements:
    parser = _Elements()
    parser.feed(page)
    parser.close()
    return parser


def test_html_is_one_self_contained_page(notes: dict[str, str]) -> None:
    page = notes["html"]
    parsed = _parsed(page)
    for tag in ("script", "link", "img", "iframe", "object", "embed", "base", "form"):
        assert parsed.tags[tag] == 0, tag
    assert parsed.tags["style"] == 1
    assert parsed.tags["section"] == 4
    fetching = [(t, n, v) for t, n, v in parsed.attributes if n in ("src", "srcset", "action")]
    assert fetching == []
    links = [v for t, n, v in parsed.attributes if n == "href"]
    assert links
    assert all(v is not None and v.startswith("#release-") for v in links)
    ids = {v for t, n, v in parsed.attributes if n == "id"}
    assert {v[1:] for v in links if v} <= ids
    csp = next(v for t, n, v in parsed.attributes if t == "meta" and v and "default-src" in v)
    assert csp == "default-src 'none'; style-src 'unsafe-inline'"
    assert "url(" not in page
    assert "@import" not in page
    assert "status: &quot;draft&quot; no longer allowed" in page


HOSTILE = "<script>alert(1)</script>"
HOSTILE_DESCRIPTION = '<img src=x onerror="alert(2)"> & </td></table>'


def _hostile_release(write_schemas: Any) -> tuple[Path, Path]:
    """A property named like a script tag, made required, its description changed to markup."""

    def evil(description: str, required: list[str]) -> dict[str, Any]:
        return {
            "Evil": {
                "type": "object",
                "properties": {HOSTILE: {"type": "string", "description": description}},
                "required": required,
            }
        }

    old = write_schemas(evil("plain", []), "old-1.0.0")
    new = write_schemas(evil(HOSTILE_DESCRIPTION, [HOSTILE]), "new-2.0.0")
    return old, new


def test_schema_text_is_escaped_in_html_and_markdown(write_schemas: Any) -> None:
    old, new = _hostile_release(write_schemas)
    page = run("changelog", str(old), str(new), "--format", "html")
    assert page.exit_code == 0, page.output
    parsed = _parsed(page.output)
    assert parsed.tags["script"] == 0
    assert parsed.tags["img"] == 0
    assert parsed.tags["table"] == parsed.tags["article"] == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.output
    assert HOSTILE in "".join(parsed.text)  # shown to the reader as the text it is
    markdown = run("changelog", str(old), str(new)).output
    assert "<script" not in markdown
    assert "&lt;script>alert(1)&lt;/script>" in markdown


def test_a_breaking_release_exits_0_and_writes_the_output_file(
    write_schemas: Any, tmp_path: Path
) -> None:
    old, new = _hostile_release(write_schemas)
    target = tmp_path / "notes.json"
    result = run("changelog", str(old), str(new), "--format", "json", "--output", str(target))
    assert result.exit_code == 0, result.output
    assert result.output == ""
    document = json.loads(target.read_text(encoding="utf-8"))
    (release,) = document["releases"]
    assert (release["old"]["version"], release["new"]["version"]) == ("1.0.0", "2.0.0")
    assert release["required_bump"] == "major"
    named = run("changelog", str(old), str(new), "--format", "json", "--to-version", "3.0.0")
    assert json.loads(named.output)["releases"][0]["new"]["version"] == "3.0.0"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "pass OLD and NEW"),
        (["only-one"], "pass OLD and NEW"),
        (["a", "b", "--path", "schemas"], "--path goes with --since-tag"),
        (["--since-tag", "contracts-v1.0.0", "a", "b"], "with --since-tag, pass no source"),
        (["--since-tag", "contracts-v1.0.0", "some/folder"], "or one oci://HOST/REPO"),
        (["--since-tag", "1.0.0", "oci://localhost:5000/c", "--path", "x"], "--path is for"),
        (["--since-tag", "contracts-v1.0.0", "--to-version", "1.0.0"], "not with --since-tag"),
        (["--format", "text", "a", "b"], "'text' is not one of"),
    ],
)
def test_usage_errors_exit_2(args: list[str], message: str) -> None:
    result = run("changelog", *args)
    assert result.exit_code == 2
    assert message in result.output


def test_bad_sources_and_tags_exit_2(history: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    missing = run("changelog", "no/such/folder", "neither")
    assert missing.exit_code == 2
    assert missing.output.startswith("error: no/such/folder: no such directory")
    monkeypatch.chdir(history)
    for tag, message in [
        ("contracts-v9.9.9", "--since-tag contracts-v9.9.9: no such tag"),
        ("latest", "--since-tag latest: no semantic version"),
    ]:
        result = run("changelog", "--since-tag", tag)
        assert result.exit_code == 2
        assert result.output.startswith(f"error: {message}")
        assert len(result.output.splitlines()) == 1
    wrong_path = run("changelog", "--since-tag", "contracts-v2.0.0", "--path", "nothing-here")
    assert wrong_path.exit_code == 2
    assert wrong_path.output.startswith("error: git:contracts-v2.0.0:nothing-here: ")
    latest_only = run("changelog", "--since-tag", "contracts-v2.1.0", "--format", "json")
    assert latest_only.exit_code == 0
    assert json.loads(latest_only.output)["releases"] == []


def test_old_may_be_a_glob_naming_the_last_release(
    history: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(history)
    result = run("changelog", "git:contracts-v*:schemas", "schemas", "--format", "json")
    assert result.exit_code == 0, result.output
    (release,) = json.loads(result.output)["releases"]
    assert release["old"] == {"source": "git:contracts-v2.1.0:schemas", "version": "2.1.0"}
    assert [s["name"] for s in release["schemas"]] == ["User"]
    assert release["required_bump"] == "major"


@pytest.mark.parametrize(
    ("fmt", "suffix"), [("markdown", "md"), ("json", "json"), ("html", "html")]
)
def test_golden_notes(fmt: str, suffix: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The major release's notes, byte for byte: a review of the format shows in the diff."""
    monkeypatch.chdir(ROOT)
    result = run("changelog", f"{FIXTURE}/1.1.1", f"{FIXTURE}/2.0.0", "--format", fmt)
    assert result.exit_code == 0, result.output
    golden = GOLDEN / f"changelog-1.1.1-2.0.0.{suffix}"
    if os.environ.get("TC_UPDATE_GOLDEN"):
        golden.write_text(result.output, encoding="utf-8")
    assert result.output == golden.read_text(encoding="utf-8")


def test_release_pairs_order_by_semver_within_the_tag_family() -> None:
    tags = [
        "contracts-v1.10.0",
        "contracts-v1.9.0",
        "contracts-v1.2.0",
        "contracts-v2.0.0-rc.1",
        "contracts-v0.9.0",
        "v3.0.0",
        "other-v1.5.0",
        "contracts-v2.0.0",
        "nonsense",
    ]
    assert release_pairs(tags, "contracts-v1.2.0") == [
        ("contracts-v1.10.0", "contracts-v2.0.0"),
        ("contracts-v1.9.0", "contracts-v1.10.0"),
        ("contracts-v1.2.0", "contracts-v1.9.0"),
    ]
    assert release_pairs(["1.0.0", "v1.1.0", "1.2.0", "1.1.0"], "1.0.0") == [
        ("1.1.0", "1.2.0"),
        ("1.0.0", "1.1.0"),
    ]
    assert release_pairs(tags, "contracts-v2.0.0") == []
    with pytest.raises(ConfigError, match="no such tag"):
        release_pairs(tags, "contracts-v1.3.0")
    with pytest.raises(ConfigError, match="no semantic version"):
        release_pairs(tags, "nonsense")


# ---------------------------------------------------------------- headless Chromium

WIDTH, HEIGHT = 1280, 1000
MAJOR_BADGE = (0xB9, 0x1C, 0x1C)  # --major in the page's CSS
PAGE_BACKGROUND = (0xF8, 0xFA, 0xFC)


def _chromium() -> str:
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        message = "chromium is not installed (apt-get install -y chromium)"
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return found


def _headless(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(
        [
            _chromium(),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--hide-scrollbars",
            "--force-device-scale-factor=1",
            f"--user-data-dir={tmp_path / 'profile'}",
            *args,
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )


def _unfilter(kind: int, line: bytearray, previous: bytes, channels: int) -> None:
    """Undo one row's PNG filter in place (RFC 2083, 6.3)."""
    n = len(line)
    if kind == 1:
        for i in range(channels, n):
            line[i] = (line[i] + line[i - channels]) & 0xFF
    elif kind == 2:
        line[:] = bytes((a + b) & 0xFF for a, b in zip(line, previous, strict=True))
    elif kind == 3:
        for i in range(n):
            left = line[i - channels] if i >= channels else 0
            line[i] = (line[i] + ((left + previous[i]) >> 1)) & 0xFF
    elif kind == 4:
        for i in range(n):
            if i >= channels:
                a, c = line[i - channels], previous[i - channels]
            else:
                a = c = 0
            b = previous[i]
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            predictor = a if pa <= pb and pa <= pc else (b if pb <= pc else c)
            line[i] = (line[i] + predictor) & 0xFF


def _decode_png(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and RGB rows of an 8-bit RGB or RGBA PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat = 8, b""
    width = height = channels = 0
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind = data[offset + 4 : offset + 8]
        body = data[offset + 8 : offset + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour, _c, _f, interlace = struct.unpack(">IIBBBBB", body)
            assert (depth, interlace) == (8, 0)
            channels = {2: 3, 6: 4}[colour]
        elif kind == b"IDAT":
            idat += body
        offset += 12 + length
    raw = zlib.decompress(idat)
    stride = width * channels
    assert len(raw) == height * (stride + 1)
    rows: list[bytes] = []
    previous = bytes(stride)
    for y in range(height):
        start = y * (stride + 1)
        line = bytearray(raw[start + 1 : start + 1 + stride])
        _unfilter(raw[start], line, previous, channels)
        previous = bytes(line)
        if channels == 4:  # drop alpha
            rgb = bytearray(width * 3)
            for k in range(3):
                rgb[k::3] = line[k::4]
            line = rgb
        rows.append(bytes(line))
    return width, height, rows


def test_chromium_renders_the_history_page(notes: dict[str, str], tmp_path: Path) -> None:
    page = tmp_path / "notes.html"
    page.write_text(notes["html"], encoding="utf-8")
    shot = tmp_path / "notes.png"
    result = _headless(
        tmp_path, f"--screenshot={shot}", f"--window-size={WIDTH},{HEIGHT}", page.as_uri()
    )
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")[-2000:]
    width, height, rows = _decode_png(shot.read_bytes())
    assert (width, height) == (WIDTH, HEIGHT)
    pixels = Counter(row[i : i + 3] for row in rows for i in range(0, len(row), 3))
    total = width * height
    background = pixels[bytes(PAGE_BACKGROUND)]
    # the CSS applied (its page colour fills the margins) and there is content on it
    assert 0.1 * total < background < 0.6 * total
    assert pixels[bytes((255, 255, 255))] > 0.3 * total  # the release cards
    assert pixels[bytes(MAJOR_BADGE)] > 200  # 2.0.0's red badge in the contents
    assert len(pixels) > 50  # text is antialiased: many shades, not a flat image
    dark = sum(n for rgb, n in pixels.items() if max(rgb) < 80)
    assert dark > 0.002 * total  # the text itself


def test_chromium_shows_a_hostile_name_as_text(write_schemas: Any, tmp_path: Path) -> None:
    old, new = _hostile_release(write_schemas)
    page = tmp_path / "evil.html"
    result = run("changelog", str(old), str(new), "--format", "html", "--output", str(page))
    assert result.exit_code == 0, result.output
    dumped = _headless(tmp_path, "--dump-dom", page.as_uri())
    assert dumped.returncode == 0, dumped.stderr.decode("utf-8", "replace")[-2000:]
    dom = dumped.stdout.decode("utf-8")
    parsed = _parsed(dom)
    # the browser's own parse: no element came out of the schema's text
    assert parsed.tags["script"] == parsed.tags["img"] == 0
    assert parsed.tags["table"] == 1
    assert HOSTILE in "".join(parsed.text)
    assert "<img src=x onerror=" in "".join(parsed.text)
    assert "& </td></table>" in "".join(parsed.text)
