"""session.py - the pieces of a memtop session file (doc/session-format.md),
for the tests that craft one: import it with sys.path set to tests/."""
import struct
import zlib


def varint(v):
    """An unsigned LEB128 integer."""
    out = bytearray()
    while v >= 0x80:
        out.append(v & 0x7f | 0x80)
        v >>= 7
    return bytes(out + bytes([v]))


def bts(b):
    """bytes: a varint length, then the bytes."""
    return varint(len(b)) + b


def frame(typ, payload):
    """A frame: sync marker, type, length, CRC of type, length and payload."""
    head = bytes([typ]) + struct.pack("<I", len(payload))
    return b"DTFR" + head + struct.pack("<I", zlib.crc32(head + payload)) + payload


def header(payload, minor=3):
    """The file's header around a header payload."""
    return (b"MEMTOPSF" + struct.pack("<HHII", 1, minor, 0, len(payload)) + payload +
            struct.pack("<I", zlib.crc32(payload)))
