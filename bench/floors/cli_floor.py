"""Floor for `jixiao parse` end to end: read each file, decode, split lines and write them as JSON
(the least a parse-to-JSON command must do). Usage: python bench/floors/cli_floor.py FILE..."""

import json
import sys

out = sys.stdout
out.write("[")
for i, name in enumerate(sys.argv[1:]):
    with open(name, "rb") as f:
        lines = f.read().decode("utf-8", "replace").splitlines()
    out.write(("," if i else "") + "\n" + json.dumps({"source": name, "lines": lines}, ensure_ascii=False))
out.write("\n]\n")
