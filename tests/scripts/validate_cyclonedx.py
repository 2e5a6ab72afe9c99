#!/usr/bin/python3
"""Validates a CycloneDX 1.6 JSON document against the published schema.

  validate_cyclonedx.py SCHEMA_DIR BOM.json [--control]

Uses Debian's python3-jsonschema. With --control the document is first
spoiled (a component type the schema does not allow) and must then fail
validation, so the check itself is shown able to fail.
"""
import json
import sys

import jsonschema


def main():
    schema_dir, bom_file = sys.argv[1], sys.argv[2]
    expect_invalid = "--control" in sys.argv[3:]
    store = {}
    for name in ("bom-1.6", "spdx", "jsf-0.82"):
        with open(f"{schema_dir}/{name}.SNAPSHOT.schema.json", encoding="utf-8") as f:
            schema = json.load(f)
        store[schema["$id"]] = schema
        store[f"http://cyclonedx.org/schema/{name}.SNAPSHOT.schema.json"] = schema
    root = store["http://cyclonedx.org/schema/bom-1.6.schema.json"]
    with open(bom_file, encoding="utf-8") as f:
        bom = json.load(f)
    if expect_invalid:
        bom["components"][0]["type"] = "dataset"
    resolver = jsonschema.RefResolver.from_schema(root, store=store)
    validator = jsonschema.Draft7Validator(
        root, resolver=resolver, format_checker=jsonschema.Draft7Validator.FORMAT_CHECKER)
    errors = sorted(validator.iter_errors(bom), key=lambda e: list(e.path))
    for e in errors[:20]:
        print(f"{bom_file}: {'/'.join(map(str, e.path))}: {e.message}", file=sys.stderr)
    if expect_invalid:
        if not errors:
            print(f"{bom_file}: a spoiled BOM passed the schema", file=sys.stderr)
            return 1
        print(f"{bom_file}: the spoiled copy is refused, as it must be ({len(errors)} errors)")
        return 0
    if errors:
        return 1
    print(f"{bom_file}: valid CycloneDX 1.6")
    return 0


if __name__ == "__main__":
    sys.exit(main())
