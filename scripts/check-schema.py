#!/usr/bin/env python3
"""Validate playbook YAML files against docs/playbook.schema.json (what editors use).

Usage: scripts/check-schema.py PLAYBOOK.yaml...

Exit status: 0 all files match the schema (or the check was skipped because python's
`jsonschema` / `yaml` modules are not installed), 1 a file does not match, 2 bad usage or a file
that cannot be read or parsed. `ctfix validate` remains the authority: it also checks what a
schema cannot express (regexes compile, ${param} references are declared, floor <= ceiling).
"""
import json
import os
import sys

try:
    import jsonschema
    import yaml
except ImportError as missing:  # pragma: no cover - depends on the machine
    print(f"check-schema: skipped: python module '{missing.name}' is not installed "
          "(pip install jsonschema pyyaml)")
    sys.exit(0)

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "docs", "playbook.schema.json")


class StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses duplicate keys (PyYAML keeps the last one silently; ctfix refuses)."""


def _mapping(loader, node, deep=False):
    seen = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(None, None, f"duplicate key {key!r}", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node, deep)


StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)


def location(error):
    path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path)
    return path.lstrip(".") or "(top level)"


def main(paths):
    if not paths:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(SCHEMA, encoding="utf-8") as handle:
        schema = json.load(handle)
    validator = jsonschema.Draft202012Validator(schema)
    status = 0
    for path in paths:
        try:
            with open(path, encoding="utf-8") as handle:
                document = yaml.load(handle, Loader=StrictLoader)
        except (OSError, yaml.YAMLError, UnicodeDecodeError) as error:
            print(f"{path}: cannot read: {error}")
            status = max(status, 2)
            continue
        errors = sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path)))
        if errors:
            status = max(status, 1)
            for error in errors:
                print(f"{path}: {location(error)}: {error.message}")
        else:
            print(f"{path}: ok")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
