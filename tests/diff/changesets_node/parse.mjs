// Prints what the real @changesets/parse makes of each file named on the command line:
// one JSON object {file: {"releases": [{name, type}], "summary": str} | {"error": str}}.
import { readFileSync } from "node:fs";
import { parseChangesetFile } from "@changesets/parse";

const out = {};
for (const file of process.argv.slice(2)) {
  try {
    out[file] = parseChangesetFile(readFileSync(file, "utf8"));
  } catch (error) {
    out[file] = { error: String(error.message).split("\n")[0] };
  }
}
process.stdout.write(JSON.stringify(out));
