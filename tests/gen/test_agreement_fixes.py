"""Generated models reject what the schema (read as Zod reads it) rejects, where Pydantic's
types alone would not, and still accept what it accepts. One test per closed gap of
`tc-schema check-models`; each payload goes through the schema too, so the verdicts agree.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import pytest
from pydantic import BaseModel, Field, TypeAdapter, ValidationError

from tc_contracts_py.codegen import generate_from_source
from tc_contracts_py.codegen.prepare import URL_MAX_LENGTH_KEY, ecma_pattern_for_pydantic
from tc_contracts_py.ecma_regex import compile_ecma
from tc_contracts_py.sources import load_schema_set
from tc_contracts_py.testing.agreement import check_agreement
from tc_contracts_py.testing.validation import format_checker, validator_class

DRAFT7 = "http://json-schema.org/draft-07/schema#"
DRAFT2020 = "https://json-schema.org/draft/2020-12/schema"
# Zod 4's date-time and date patterns (beside `format`), as in fixtures/schemas/zod4.
ZOD4_DATE_TIME = (
    r"^(?:(?:\d\d[2468][048]|\d\d[13579][26]|\d\d0[48]|[02468][048]00|[13579][26]00)-02-29"
    r"|\d{4}-(?:(?:0[13578]|1[02])-(?:0[1-9]|[12]\d|3[01])|(?:0[469]|11)-(?:0[1-9]|[12]\d|30)"
    r"|(?:02)-(?:0[1-9]|1\d|2[0-8])))T(?:(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:Z))$"
)


@pytest.fixture
def model_for(write_schemas, tmp_path, import_package):
    """Generate one schema ``Thing`` and return (model, schema validator with Zod semantics)."""

    def make(document):
        source = write_schemas({"Thing": document})
        out = tmp_path / f"models_{source.name}"
        generate_from_source(str(source), out)
        model = import_package(out).Thing
        schema_set = load_schema_set(str(source))
        schema = schema_set["Thing"]
        cls = validator_class(schema.dialect, "zod")
        validator = cls(
            schema.document, registry=schema_set.registry, format_checker=format_checker("zod")
        )
        return model, validator, schema_set

    return make


def accepts(model: type[BaseModel], payload: object) -> bool:
    try:
        model.model_validate_json(json.dumps(payload))
    except ValidationError:
        return False
    return True


def assert_verdicts(model, validator, valid, invalid):
    for payload in valid:
        assert validator.is_valid(payload), payload
        assert accepts(model, payload), payload
    for payload in invalid:
        assert not validator.is_valid(payload), payload
        assert not accepts(model, payload), payload


def obj(schema_uri, **properties):
    return {
        "$schema": schema_uri,
        "type": "object",
        "properties": properties,
        "required": sorted(properties),
    }


@pytest.mark.parametrize(
    "at",
    [
        {"type": "string", "format": "date-time"},  # zod-to-json-schema
        {"type": "string", "format": "date-time", "pattern": ZOD4_DATE_TIME},  # Zod 4
    ],
    ids=["draft7", "zod4"],
)
def test_date_time_rejects_offsets_numbers_and_other_spellings(model_for, at):
    model, validator, _ = model_for(obj(DRAFT7, at=at))
    assert_verdicts(
        model,
        validator,
        valid=[{"at": "2024-01-31T12:00:00Z"}, {"at": "2024-01-31T12:00:00.123Z"}],
        invalid=[
            {"at": "2024-01-31T12:00:00+00:00"},  # an offset: Zod's .datetime() wants Z
            {"at": 12345},  # a number: Pydantic's lax datetime would take a Unix time
            {"at": "2024-01-31 12:00:00Z"},
            {"at": "2024-01-31T12:00Z"},
            {"at": "2024-01-31t12:00:00z"},
        ],
    )
    parsed = model.model_validate_json('{"at": "2024-01-31T12:00:00Z"}')
    assert parsed.at == dt.datetime(2024, 1, 31, 12, tzinfo=dt.UTC)
    # Built in Python from a datetime, as before; naive ones stay refused (AwareDatetime).
    assert model(at=parsed.at).at == parsed.at
    with pytest.raises(ValidationError):
        model(at=dt.datetime(2024, 1, 31, 12))
    assert model.model_validate(json.loads(parsed.model_dump_json())) == parsed


def test_date_rejects_date_times_and_numbers(model_for):
    model, validator, _ = model_for(obj(DRAFT7, on={"type": "string", "format": "date"}))
    assert_verdicts(
        model,
        validator,
        valid=[{"on": "2024-01-31"}],
        invalid=[{"on": "2024-01-31T00:00:00"}, {"on": "2024-01-31T00:00:00Z"}, {"on": 1706659200}],
    )
    assert model.model_validate_json('{"on": "2024-01-31"}').on == dt.date(2024, 1, 31)
    assert model(on=dt.date(2024, 1, 31)).on == dt.date(2024, 1, 31)
    with pytest.raises(ValidationError):
        model(on=dt.datetime(2024, 1, 31))


def test_pattern_digits_are_ascii(model_for):
    phone = {"type": "string", "pattern": r"^\+\d{7,15}$"}
    model, validator, _ = model_for(obj(DRAFT2020, phone=phone))
    assert_verdicts(
        model,
        validator,
        valid=[{"phone": "+1234567"}],
        invalid=[{"phone": "+\u0664\u0660\u0665\u0669\u0663\u0669\u0669\u0661"}, {"phone": "+123"}],
    )


ECMA_CASES = {
    r"^\d+$": ["123", "\u0664", "1\n"],
    r"^[\d.]+$": ["1.5", "\u0664.5", "a"],
    r"^[^\D]$": ["1", "\u0664", "a"],
    r"^\w+$": ["ab_1", "\u00e9", "a-b"],
    r"^\W$": ["-", "\u00e9", "a"],
    r"^a\sb$": ["a b", "a\u00a0b", "a\ufeffb", "a\x85b", "a\x1cb"],
    r"^a\Sb$": ["axb", "a b", "a\x85b"],
    r"^a.b$": ["axb", "a\rb", "a\nb", "a\u2028b", "a\x85b"],
    r"\bfoo\b": ["a foo", "\u00e9foo\u00e9", "xfoo"],
    r"^[[]$": ["[", "]"],
    r"^[a&&b~]$": ["&", "~", "c"],
    r"^[^]$": ["a", "\n", ""],
    r"^[]$": ["", "a"],
    r"^\/\-\.$": ["/-.", "/-x"],
}


@pytest.mark.parametrize("engine", ["rust-regex", "python-re"])
@pytest.mark.parametrize("pattern", sorted(ECMA_CASES))
def test_translated_patterns_give_ecma_verdicts_in_pydantic(pattern, engine):
    """Pydantic with the translated pattern decides as ECMA-262 does, on either engine."""
    translated = ecma_pattern_for_pydantic(pattern, python_re=engine == "python-re")
    adapter = TypeAdapter(
        Annotated[str, Field(pattern=translated)], config={"regex_engine": engine}
    )
    ecma = compile_ecma(pattern)
    for text in [*ECMA_CASES[pattern], *(text + "\n" for text in ECMA_CASES[pattern])]:
        try:
            adapter.validate_python(text)
            model_says = True
        except ValidationError:
            model_says = False
        assert model_says == (ecma.search(text) is not None), (pattern, engine, text)


def test_pattern_translation_leaves_plain_patterns_alone():
    for pattern in (r"^[a-z0-9_]+$", r"^[0-9A-HJKMNP-TV-Z]{26}$", r"^[A-Za-z0-9_'+\-]+@x$"):
        assert ecma_pattern_for_pydantic(pattern) == pattern


def test_a_lookahead_pattern_puts_every_pattern_of_its_model_on_python_spelling(model_for):
    """A lookahead makes the generator choose ``python-re`` for the whole model.

    Before the fix, the sibling ``\b`` pattern kept Rust's ``(?-u:\b)`` and the module
    failed to import, and a ``$`` sibling accepted a trailing newline under ``python-re``.
    """
    document = obj(
        DRAFT7,
        slug={"type": "string", "pattern": "^(?!-)[a-z-]+$"},
        word={"type": "string", "pattern": "\\bcat\\b"},
        digits={"type": "string", "pattern": "^\\d+$"},
    )
    model, validator, _ = model_for(document)
    assert_verdicts(
        model,
        validator,
        # ECMA's \\b is ASCII: "écat" has a boundary before "c", "xcat" has none.
        valid=[
            {"slug": "ab", "word": "a cat", "digits": "12"},
            {"slug": "ab", "word": "\u00e9cat", "digits": "12"},
        ],
        invalid=[
            {"slug": "-ab", "word": "a cat", "digits": "12"},
            {"slug": "ab\n", "word": "a cat", "digits": "12"},
            {"slug": "ab", "word": "xcat", "digits": "12"},
            {"slug": "ab", "word": "a cat", "digits": "12\n"},
            {"slug": "ab", "word": "a cat", "digits": "\u0664"},
        ],
    )


def test_uri_max_length_is_enforced_on_the_input(model_for):
    url = {"type": "string", "format": "uri", "maxLength": 20}
    document = obj(DRAFT7, home=url)
    document["properties"]["mirror"] = {"anyOf": [url, {"type": "null"}]}
    document["properties"]["links"] = {"type": "array", "items": url}
    document["required"] = ["home"]
    model, validator, _ = model_for(document)
    long_url = "https://a.com/" + "x" * 7  # 21 characters
    assert_verdicts(
        model,
        validator,
        valid=[
            {"home": "https://a.com/" + "x" * 6},  # exactly 20
            {"home": "https://A.com", "mirror": None, "links": []},  # normalised: 14, input: 13
            {"home": "https://a.com", "mirror": "https://b.com", "links": ["https://c.com"]},
        ],
        invalid=[
            {"home": long_url},
            {"home": "https://a.com", "mirror": long_url},
            {"home": "https://a.com", "links": ["https://c.com", long_url]},
            {"home": "not a uri"},
        ],
    )


def test_url_length_marker_cannot_come_from_a_schema(model_for):
    # A schema cannot set the internal marker: unknown keywords are dropped first.
    url = {"type": "string", "format": "uri", URL_MAX_LENGTH_KEY: 5}
    model, validator, _ = model_for(obj(DRAFT7, home=url))
    assert accepts(model, {"home": "https://example.com/long/enough"})
    assert validator.is_valid({"home": "https://example.com/long/enough"})


def test_enum_keyed_record_needs_every_key(model_for):
    days = ["mon", "tue", "wed"]
    record = {
        "type": "object",
        "propertyNames": {"type": "string", "enum": days},
        "additionalProperties": {"type": "integer", "minimum": 0},
        "required": days,
    }
    partial = {k: v for k, v in record.items() if k != "required"}  # z.partialRecord
    model, validator, _ = model_for(obj(DRAFT2020, week=record, some=partial))
    full = {"mon": 1, "tue": 2, "wed": 3}
    assert_verdicts(
        model,
        validator,
        valid=[{"week": full, "some": {}}, {"week": full, "some": {"tue": 1}}],
        invalid=[
            {"week": {"mon": 1, "tue": 2}, "some": {}},
            {"week": {**full, "thu": 4}, "some": {}},
            {"week": full, "some": {"thu": 1}},
        ],
    )


@pytest.mark.parametrize(
    ("members", "booleans"),
    [([1, 2, 3], [True]), ([0, "daily", "weekly"], [False]), ([0, 1], [True, False])],
)
def test_numeric_enums_refuse_booleans(model_for, members, booleans):
    # True == 1 and hash(True) == hash(1) in Python, so an Enum lookup alone takes `true`.
    field = {"enum": members}
    model, validator, _ = model_for(obj(DRAFT7, level=field))
    assert_verdicts(
        model,
        validator,
        valid=[{"level": m} for m in members],
        invalid=[{"level": b} for b in booleans],
    )
    root, root_validator, _ = model_for({"$schema": DRAFT2020, **field})
    adapter = TypeAdapter(root)
    for member in members:
        assert adapter.dump_python(adapter.validate_json(json.dumps(member)), mode="json") == member
    for boolean in booleans:
        assert not root_validator.is_valid(boolean)
        with pytest.raises(ValidationError):
            adapter.validate_json(json.dumps(boolean))
        with pytest.raises(ValidationError):
            adapter.validate_python(boolean)


def test_string_enums_get_no_boolean_hook(model_for):
    model, _, _ = model_for({"$schema": DRAFT7, "type": "string", "enum": ["a", "b"]})
    assert "__get_pydantic_core_schema__" not in vars(model)


def test_check_agreement_finds_no_gap_in_the_fixed_shapes(model_for):
    """The agreement checker, which found these gaps, finds none left in such a schema."""
    document = obj(
        DRAFT7,
        at={"type": "string", "format": "date-time"},
        on={"type": "string", "format": "date"},
        phone={"type": "string", "pattern": r"^\+\d{7,15}$"},
        url={"type": "string", "format": "uri", "maxLength": 40},
    )
    model, _, schema_set = model_for(document)
    report = check_agreement(model, "Thing", schema_set=schema_set, examples=60)
    assert report.ok, "\n".join(f.describe() for f in report.findings)
