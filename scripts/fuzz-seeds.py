#!/usr/bin/env python3
"""Seeds the fuzz corpora (fuzz/corpus/<target>/) from the project's own files: examples/,
crates/engine/tests/data/ and, when present, the conformance corpus's cases (their
definitions, inputs and mocks). Run by `make fuzz` before the targets; the corpora are not
committed. Inputs follow the targets' formats: NUL-separated parts (see
crates/engine/tests/fuzz_harness/mod.rs).

usage: fuzz-seeds.py CORPUS_DIR [CONFORMANCE_DIR]
"""
import base64
import glob
import hashlib
import json
import os
import sys
import zlib

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
out_dir = sys.argv[1]


def find_conformance():
    """`shared/conformance` beside some folder above the repository, as the engine's tests look."""
    folder = ROOT
    while True:
        candidate = os.path.join(folder, "shared", "conformance")
        if os.path.isdir(os.path.join(candidate, "cases")):
            return candidate
        parent = os.path.dirname(folder)
        if parent == folder:
            return ""
        folder = parent


conformance = sys.argv[2] if len(sys.argv) > 2 else ""
if not os.path.isdir(os.path.join(conformance, "cases")):
    conformance = find_conformance()
MAX_SEEDS = 400
counts = {}


def save(target, data):
    if isinstance(data, str):
        data = data.encode()
    if len(data) > 64 * 1024 or counts.get(target, 0) >= MAX_SEEDS:
        return
    folder = os.path.join(out_dir, target)
    os.makedirs(folder, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    path = os.path.join(folder, name)
    if not os.path.exists(path):
        with open(path, "wb") as f:
            f.write(data)
    counts[target] = counts.get(target, 0) + 1


def load(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def strings(value):
    if isinstance(value, dict):
        for k, v in value.items():
            yield k
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)
    elif isinstance(value, str):
        yield value


def seed_definition(definition, input_value, mocks):
    text = json.dumps(definition, indent=1)
    save("definition", text)
    inp = json.dumps(input_value)
    mocks_text = json.dumps(mocks) if mocks is not None else ""
    save("execution", text + "\0" + inp + "\0" + mocks_text)
    for s in set(strings(definition)):
        if s.startswith("States."):
            save("intrinsics", s + "\0" + inp)
        elif s.startswith("$"):
            save("jsonpath", s + "\0" + inp)
        elif s.startswith("{%") and s.endswith("%}"):
            save("jsonata", s + "\0" + inp)


def share_link(definition, input_text, mocks_text):
    payload = json.dumps({"definition": definition, "input": input_text, "mocks": mocks_text})
    data = base64.urlsafe_b64encode(zlib.compress(payload.encode(), 9)).decode().rstrip("=")
    return "v1:" + data


# The examples: definition, each input, the mock file.
for folder in sorted(glob.glob(os.path.join(ROOT, "examples", "*"))):
    defs = glob.glob(os.path.join(folder, "*.asl.json"))
    mocks_path = os.path.join(folder, "mocks.json")
    mocks_text = open(mocks_path, encoding="utf-8").read() if os.path.exists(mocks_path) else ""
    if mocks_text:
        save("mocks", mocks_text)
    for d in defs:
        text = open(d, encoding="utf-8").read()
        save("definition", text)
        for inp in sorted(glob.glob(os.path.join(folder, "input*.json"))):
            inp_text = open(inp, encoding="utf-8").read()
            save("execution", text + "\0" + inp_text + "\0" + mocks_text)
            save("share", share_link(text, inp_text, mocks_text))
        definition = load(d)
        if definition is not None:
            seed_definition(definition, {}, None)

data = os.path.join(ROOT, "crates", "engine", "tests", "data")
for path in sorted(glob.glob(os.path.join(data, "definitions", "**", "*.json"), recursive=True)):
    save("definition", open(path, encoding="utf-8", errors="replace").read())
for path in sorted(glob.glob(os.path.join(data, "mocks", "*.json"))):
    save("mocks", open(path, encoding="utf-8", errors="replace").read())
for path in sorted(glob.glob(os.path.join(data, "executions", "*.json"))):
    case = load(path)
    if isinstance(case, dict) and "definition" in case:
        seed_definition(case["definition"], case.get("input", {}), case.get("mocks"))
cases = load(os.path.join(data, "jsonata", "cases.json")) or {}
for case in cases.get("cases", []) if isinstance(cases, dict) else []:
    if isinstance(case, dict) and isinstance(case.get("expr"), str):
        save("jsonata", case["expr"] + "\0" + json.dumps(case.get("states", {}).get("input", {}))
             + "\0" + json.dumps(case.get("variables", {})))

# The conformance corpus, when present (read at run time, never committed).
for path in sorted(glob.glob(os.path.join(conformance, "cases", "*.json"))):
    case = load(path)
    if isinstance(case, dict) and "definition" in case:
        seed_definition(case["definition"], case.get("input", {}), case.get("mocks"))
        if case.get("mocks"):
            save("mocks", json.dumps(case["mocks"]))

# A few hand-made ones for what the files above lack.
for s in ["$", "$$", "$.a.b[0]", "$..x", "$.a[?(@.b > 1)]", "$.a[1:3]", "$['a','b']", "$.*", "$var.x[2]",
          "$.detail-type", "$$.Execution.Input"]:
    save("jsonpath", s + "\0" + '{"a":{"b":[1,2,{"x":3}]},"detail-type":"t"}' + "\0" + '{"var":{"x":[0,1,2]}}')
for s in ["States.Format('{} {}', $.a, 'b')", "States.ArrayRange(1, 9, 2)", "States.Hash($.a, 'SHA-256')",
          "States.MathAdd(States.ArrayLength($.l), 1)", "States.StringSplit('a,b', ',')",
          "States.Base64Decode(States.Base64Encode('x'))", "States.JsonMerge($.o, $.o, false)",
          "States.ArrayPartition($.l, 2)", "States.UUID()", "States.MathRandom(1, 10)"]:
    save("intrinsics", s + "\0" + '{"a":"x","l":[1,2,3],"o":{"k":1}}')
save("share", "v1:")
save("share", share_link('{"StartAt":"P","States":{"P":{"Type":"Pass","End":true}}}', "{}", ""))
save("mocks", "")
for target in ["definition", "jsonpath", "intrinsics", "jsonata", "mocks", "execution", "share"]:
    print(f"{target}: {counts.get(target, 0)} seeds")
