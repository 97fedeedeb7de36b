#!/usr/bin/env bash
# Renovate changes only the contracts pin; this makes its branch green by regenerating the
# models for the new pin and committing them to the branch. Run from the consumer's root,
# on the Renovate branch (.github/workflows/contracts-bump.yml).
#   CONFIG     the file holding the pin (default: pyproject.toml)
#   TC_SCHEMA  the tc-schema command (default: tc-schema)
set -euo pipefail

config="${CONFIG:-pyproject.toml}"
tc_schema="${TC_SCHEMA:-tc-schema}"

# `out` (the package tc-schema gen owns) and `artifact` of [tool.tc-contracts], or of the top
# level of a tc-contracts.toml.
{ read -r out; read -r pin; } < <(python3 - "$config" <<'PY'
import sys, tomllib
with open(sys.argv[1], "rb") as f:
    data = tomllib.load(f)
if sys.argv[1].endswith("pyproject.toml"):
    data = data["tool"]["tc-contracts"]
print(data["out"])
print(data["artifact"])
PY
)
out="$(dirname "$config")/$out"

$tc_schema gen --config "$config"

if [ -z "$(git status --porcelain -- "$out")" ]; then
  echo "models in $out already match $pin"
  exit 0
fi
git add -A -- "$out"
git commit -q -m "chore(contracts): regenerate models for ${pin##*/}"
$tc_schema gen --config "$config" --check
echo "committed regenerated models in $out for $pin"
