#!/usr/bin/python3
"""Validate Cerebro message bodies against the protocol's JSON Schemas.

Usage:
    validate.py <cerebro-type> <file.json | ->   validate one body (- reads stdin)
    validate.py --examples                       validate every protocol/examples/<cerebro-type>.json
    validate.py --list                           print the known message types

Exit code: 0 valid, 1 invalid (one line per problem on stderr), 2 usage or I/O error.
Needs jsonschema >= 4 (Debian: python3-jsonschema); run it with /usr/bin/python3.
"""

import json
import re
import sys
from datetime import date
from pathlib import Path

import jsonschema
from jsonschema import Draft202012Validator, FormatChecker

PROTOCOL_DIR = Path(__file__).resolve().parent.parent
SCHEMA_DIR = PROTOCOL_DIR / "schemas"
EXAMPLE_DIR = PROTOCOL_DIR / "examples"
SCHEMA_SUFFIX = ".schema.json"
COMMON = "common"

# RFC 3339 date-time with a mandatory offset; .NET writes up to 7 fractional digits and reads no more.
_DATE_TIME = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d{1,7})?([Zz]|[+-](\d{2}):(\d{2}))$"
)

FORMAT_CHECKER = FormatChecker()


@FORMAT_CHECKER.checks("date-time", raises=ValueError)
def _is_date_time(value):
    if not isinstance(value, str):
        return True
    match = _DATE_TIME.match(value)
    if not match:
        raise ValueError("not an RFC 3339 date-time with offset (e.g. 2026-11-22T09:15:00.000+00:00)")
    year, month, day, hour, minute, second = (int(g) for g in match.groups()[:6])
    date(year, month, day)  # raises ValueError for 2026-02-30
    if hour > 23 or minute > 59 or second > 60:
        raise ValueError("time of day out of range")
    if match.group(9) is not None and (int(match.group(9)) > 23 or int(match.group(10)) > 59):
        raise ValueError("offset out of range")
    return True


def _is_strict_integer(_checker, instance):
    # jsonschema counts 1.0 as an integer; System.Text.Json refuses it for an int field, so do we.
    return isinstance(instance, int) and not isinstance(instance, bool)


StrictValidator = jsonschema.validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_strict_integer),
)


class UsageError(Exception):
    pass


def load_schemas():
    """Every schema in the schemas folder, by message type ("common" for the shared definitions)."""
    schemas = {}
    for path in sorted(SCHEMA_DIR.glob("*" + SCHEMA_SUFFIX)):
        schema = json.loads(path.read_text(encoding="utf-8"))
        Draft202012Validator.check_schema(schema)
        schemas[path.name[: -len(SCHEMA_SUFFIX)]] = schema
    if COMMON not in schemas:
        raise UsageError(f"{SCHEMA_DIR}/common{SCHEMA_SUFFIX} is missing")
    return schemas


def message_types(schemas):
    return sorted(name for name in schemas if name != COMMON)


def make_validator(schemas, message_type):
    if message_type not in schemas or message_type == COMMON:
        raise UsageError(f"unknown message type '{message_type}'; known: {', '.join(message_types(schemas))}")
    schema = schemas[message_type]
    store = {s["$id"]: s for s in schemas.values()}
    resolver = jsonschema.RefResolver(base_uri=schema["$id"], referrer=schema, store=store)
    return StrictValidator(schema, resolver=resolver, format_checker=FORMAT_CHECKER)


def _reject_constant(name):
    raise ValueError(f"{name} is not valid JSON")


def parse_json(text, source):
    """The document, or a list with one problem if it is not JSON."""
    try:
        return json.loads(text, parse_constant=_reject_constant), []
    except ValueError as error:
        return None, [f"{source}: not valid JSON: {error}"]


def _path(error):
    path = "$"
    for part in error.absolute_path:
        path += f"[{part}]" if isinstance(part, int) else f".{part}"
    return path


def problems(schemas, message_type, document, source):
    """Readable problems of one document, empty when valid."""
    validator = make_validator(schemas, message_type)
    errors = sorted(validator.iter_errors(document), key=lambda e: (list(map(str, e.absolute_path)), e.message))
    lines = []
    for error in errors:
        # For anyOf/oneOf, the branch errors say more than "is not valid under any of the given schemas".
        leaves = [e for e in error.context if e.validator != "type"] if error.context else []
        if error.context and not leaves:
            expected = " or ".join(sorted({str(e.validator_value) for e in error.context}))
            lines.append(f"{source}: {message_type}: {_path(error)}: {error.instance!r} is not of type {expected}")
            continue
        for leaf in leaves or [error]:
            lines.append(f"{source}: {message_type}: {_path(leaf)}: {leaf.message}")
    return lines


def read_source(argument):
    if argument == "-":
        return sys.stdin.buffer.read().decode("utf-8-sig"), "<stdin>"
    path = Path(argument)
    try:
        return path.read_text(encoding="utf-8-sig"), str(path)
    except OSError as error:
        raise UsageError(f"cannot read {argument}: {error.strerror}") from error


def validate_one(schemas, message_type, argument):
    make_validator(schemas, message_type)  # unknown type is a usage error, before reading stdin
    text, source = read_source(argument)
    document, found = parse_json(text, source)
    if document is not None:
        found = problems(schemas, message_type, document, source)
    for line in found:
        print(line, file=sys.stderr)
    if found:
        return 1
    print(f"{source}: valid {message_type}")
    return 0


def validate_examples(schemas):
    failed = 0
    types = message_types(schemas)
    for message_type in types:
        path = EXAMPLE_DIR / f"{message_type}.json"
        if not path.exists():
            print(f"{path}: missing example for {message_type}", file=sys.stderr)
            failed += 1
            continue
        document, found = parse_json(path.read_text(encoding="utf-8"), str(path))
        if document is not None:
            found = problems(schemas, message_type, document, str(path))
        for line in found:
            print(line, file=sys.stderr)
        if found:
            failed += 1
        else:
            print(f"ok {message_type}")
    for path in sorted(EXAMPLE_DIR.glob("*.json")):
        if path.name[: -len(".json")] not in types:
            print(f"{path}: no schema for this example", file=sys.stderr)
            failed += 1
    print(f"{len(types) - failed} of {len(types)} examples valid")
    return 1 if failed else 0


def main(argv):
    try:
        schemas = load_schemas()
        if argv == ["--examples"]:
            return validate_examples(schemas)
        if argv == ["--list"]:
            print("\n".join(message_types(schemas)))
            return 0
        if len(argv) == 2 and not argv[0].startswith("-"):
            return validate_one(schemas, argv[0], argv[1])
        raise UsageError(__doc__.strip())
    except UsageError as error:
        print(error, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
