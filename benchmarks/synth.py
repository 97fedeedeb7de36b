"""Deterministic synthetic schema sets shaped like zod-to-json-schema output.

``generate_schema_set(n, seed)`` gives ``n`` draft-07 documents named ``Model0000`` …
with the constructs zod emits: formats, nullable type arrays and ``anyOf`` wrappers,
enums with defaults, nested strict objects, arrays with limits, records, path
``$ref``s to reused instances, and const-tagged unions. Same ``(n, seed)``, same bytes.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

DRAFT7 = "http://json-schema.org/draft-07/schema#"
WORDS = [
    "athlete", "session", "block", "exercise", "coach", "message", "horizon", "load",
    "tempo", "volume", "effort", "distance", "pace", "heart", "zone", "note", "status",
    "label", "score", "target", "weight", "reps", "rest", "phase", "week", "goal",
]  # fmt: skip


def _camel(rng: random.Random, used: set[str]) -> str:
    while True:
        first, second = rng.sample(WORDS, 2)
        name = first + second.capitalize()
        if name not in used:
            used.add(name)
            return name


def _leaf(rng: random.Random) -> dict[str, Any]:
    kind = rng.randrange(9)
    if kind == 0:
        return {"type": "string", "format": "uuid"}
    if kind == 1:
        return {"type": "string", "format": "date-time"}
    if kind == 2:
        return {"type": "string", "minLength": 1, "maxLength": rng.choice([40, 80, 200])}
    if kind == 3:
        return {"type": "integer", "minimum": 0, "maximum": rng.choice([52, 100, 1000])}
    if kind == 4:
        return {"type": "number", "exclusiveMinimum": 0}
    if kind == 5:
        return {"type": "string", "enum": rng.sample(["easy", "steady", "hard", "max", "rest"], 3)}
    if kind == 6:
        return {"type": ["string", "null"]}
    if kind == 7:
        return {"type": "boolean"}
    return {"type": "string", "pattern": "^[A-Z]{2}-[0-9]{3}$"}


def _object(rng: random.Random, depth: int, size: int) -> dict[str, Any]:
    used: set[str] = set()
    properties: dict[str, Any] = {}
    required: list[str] = []
    for _ in range(size):
        name = _camel(rng, used)
        roll = rng.random()
        if depth > 0 and roll < 0.15:
            schema = _object(rng, depth - 1, max(2, size // 2))
        elif depth > 0 and roll < 0.25:
            schema = {
                "type": "array",
                "items": _object(rng, depth - 1, 3),
                "maxItems": rng.choice([10, 50]),
            }
        elif roll < 0.32:
            schema = {"anyOf": [_leaf(rng), {"type": "null"}]}
        elif roll < 0.37:
            schema = {"type": "object", "additionalProperties": {"type": "number"}}
        else:
            schema = _leaf(rng)
        if rng.random() < 0.3 and schema.get("type") == "string" and "enum" in schema:
            schema["default"] = schema["enum"][0]
        properties[name] = schema
        if rng.random() < 0.6 and "default" not in schema:
            required.append(name)
    return {
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": False,
    }


def _tagged_union(rng: random.Random) -> dict[str, Any]:
    branches = []
    for tag in rng.sample(["started", "paused", "finished", "failed"], 3):
        branch = _object(rng, 0, 3)
        branch["properties"] = {"type": {"type": "string", "const": tag}, **branch["properties"]}
        branch["required"] = ["type", *branch["required"]]
        branches.append(branch)
    return {"anyOf": branches}


def generate_schema(index: int, seed: int = 0) -> dict[str, Any]:
    rng = random.Random(f"{seed}:{index}")
    document = _object(rng, depth=2, size=rng.randrange(6, 12))
    # A reused instance: zod points later uses at the first occurrence's path.
    properties = document["properties"]
    properties[f"{next(iter(properties))}Again"] = {
        "$ref": f"#/properties/{next(iter(properties))}"
    }
    if index % 5 == 0:
        document["properties"]["event"] = _tagged_union(rng)
        document["required"].append("event")
    if index % 7 == 0:
        document["properties"]["description"] = {
            "type": "string",
            "description": f"Free text of model {index}.",
        }
    document["$schema"] = DRAFT7
    return document


def generate_schema_set(n: int, seed: int = 0) -> dict[str, dict[str, Any]]:
    """``n`` schemas by name; deterministic in ``(n, seed)`` and prefix-stable in ``n``."""
    return {f"Model{index:04d}": generate_schema(index, seed) for index in range(n)}


def write_schema_set(directory: Path, n: int, seed: int = 0) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for name, document in generate_schema_set(n, seed).items():
        (directory / f"{name}.json").write_text(json.dumps(document, indent=2) + "\n")
    return directory


if __name__ == "__main__":  # pragma: no cover
    import sys

    target = Path(sys.argv[1])
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    write_schema_set(target, count)
    print(f"wrote {count} schemas to {target}")
