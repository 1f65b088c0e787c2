#!/usr/bin/python3
"""Validates JSON documents against the NENA EIDO schema.

Usage: eido_validate.py EIDO-openapi.yaml DOCUMENT.json...

Takes components/schemas/EmergencyIncidentDataObjectType from NENA's OpenAPI
file, inlines every '#/components/schemas/...' reference, and validates each
document with Debian's python3-jsonschema (Draft 4, the JSON Schema dialect
OpenAPI 3.0 builds on). Prints one line per document and exits 0 when all
are valid, 1 when one is not, 2 on a usage or schema error.

Two things in NENA's file are adjusted, both printed nowhere and documented
in docs/eido.md:
  - references to NIEM files that NENA does not ship with the schema
    ('NIEMComponents/nc.yaml#/...', person and vehicle details) become {}
    (anything is accepted there);
  - 'minItems: 1,' (a typo in AgentType that YAML reads as the string "1,")
    becomes minItems: 1.
"""
import json
import sys

import jsonschema
import yaml

ROOT = "EmergencyIncidentDataObjectType"


def inline(node, schemas, stack):
    if isinstance(node, list):
        return [inline(x, schemas, stack) for x in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str):
        prefix = "#/components/schemas/"
        if not ref.startswith(prefix):
            return {}  # an external NIEM file that is not part of the schema
        name = ref[len(prefix):]
        if name in stack:
            raise ValueError("recursive schema reference " + " -> ".join(stack + [name]))
        return inline(schemas[name], schemas, stack + [name])
    out = {}
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            # Property names are data, not keywords: a property called
            # "$ref" (ReferenceType) must not be taken for a reference.
            out[key] = {k: inline(v, schemas, stack) for k, v in value.items()}
        elif key == "minItems" and isinstance(value, str):
            out[key] = int(value.strip().rstrip(","))
        else:
            out[key] = inline(value, schemas, stack)
    return out


def schema_from(openapi_path):
    with open(openapi_path, encoding="utf-8") as f:
        spec = yaml.safe_load(f)
    schemas = spec["components"]["schemas"]
    schema = inline(schemas[ROOT], schemas, [ROOT])
    jsonschema.Draft4Validator.check_schema(schema)
    return schema


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    try:
        validator = jsonschema.Draft4Validator(schema_from(argv[1]))
    except Exception as e:  # a broken schema file is a usage error
        print("schema error: %s" % e, file=sys.stderr)
        return 2
    status = 0
    for path in argv[2:]:
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError) as e:
            print("%s: unreadable: %s" % (path, e))
            status = 1
            continue
        errors = sorted(validator.iter_errors(doc), key=lambda e: list(e.path))
        if not errors:
            print("%s: valid" % path)
            continue
        status = 1
        for e in errors[:20]:
            where = "/".join(str(p) for p in e.path) or "(top)"
            print("%s: invalid at %s: %s" % (path, where, e.message))
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv))
