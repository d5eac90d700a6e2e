"""Decodes Avro single-object records with fastavro and only the .avsc file.

The independent check of the observer's encoding (test/avro-independent.test.ts): reads
each record file, checks the C3 01 marker and that the 8-byte fingerprint is the
schema's CRC-64-AVRO, decodes the rest, and prints one JSON object per record.

    python decode_with_fastavro.py SCHEMA.avsc RECORD...
"""
import io
import json
import sys

import fastavro
from fastavro.schema import fingerprint, parse_schema, to_parsing_canonical_form


def main(schema_file, record_files):
    with open(schema_file) as f:
        schema = parse_schema(json.load(f))
    # fastavro gives the fingerprint as the hex of its little-endian bytes, as framed.
    expected = fingerprint(to_parsing_canonical_form(schema), "CRC-64-AVRO")
    for name in record_files:
        with open(name, "rb") as f:
            data = f.read()
        if data[:2] != b"\xc3\x01":
            sys.exit(f"{name}: no single-object marker")
        if data[2:10].hex() != expected:
            sys.exit(f"{name}: fingerprint {data[2:10].hex()} is not the schema's")
        print(json.dumps(fastavro.schemaless_reader(io.BytesIO(data[10:]), schema)))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
