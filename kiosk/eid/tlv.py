"""A small BER-TLV reader for what eID cards send: PKCS#15 directories and GET DATA answers."""

from __future__ import annotations

from dataclasses import dataclass


class TlvError(ValueError):
    """The bytes are not well-formed BER-TLV."""


@dataclass(frozen=True)
class Tlv:
    tag: int          # the tag bytes as one integer, e.g. 0x30, 0xA4, 0xBF8101
    value: bytes

    @property
    def constructed(self) -> bool:
        first = self.tag
        while first > 0xFF:
            first >>= 8
        return bool(first & 0x20)

    def children(self) -> list["Tlv"]:
        return parse(self.value)


def parse(data: bytes) -> list[Tlv]:
    """The TLVs one after another in `data`; padding bytes 00 and FF between them are skipped."""
    items, at = [], 0
    while at < len(data):
        if data[at] in (0x00, 0xFF):
            at += 1
            continue
        tag = data[at]
        at += 1
        if tag & 0x1F == 0x1F:  # high tag number: more tag bytes while bit 8 is set
            while True:
                if at >= len(data):
                    raise TlvError("tag runs past the end")
                tag = (tag << 8) | data[at]
                at += 1
                if not data[at - 1] & 0x80:
                    break
        if at >= len(data):
            raise TlvError("length missing")
        length = data[at]
        at += 1
        if length & 0x80:
            count = length & 0x7F
            if count == 0 or count > 3 or at + count > len(data):
                raise TlvError("bad long length")
            length = int.from_bytes(data[at:at + count], "big")
            at += count
        if at + length > len(data):
            raise TlvError(f"value of tag {tag:X} runs past the end")
        items.append(Tlv(tag, data[at:at + length]))
        at += length
    return items


def find(data: bytes | list[Tlv], tag: int) -> Tlv | None:
    """The first TLV with `tag`, searching depth first through constructed values."""
    for item in parse(data) if isinstance(data, (bytes, bytearray)) else data:
        if item.tag == tag:
            return item
        if item.constructed:
            found = find(item.value, tag)
            if found is not None:
                return found
    return None


def encode(tag: int, value: bytes) -> bytes:
    """One TLV (for tests and the virtual card)."""
    tag_bytes = tag.to_bytes((tag.bit_length() + 7) // 8 or 1, "big")
    length = len(value)
    if length < 0x80:
        length_bytes = bytes([length])
    else:
        size = (length.bit_length() + 7) // 8
        length_bytes = bytes([0x80 | size]) + length.to_bytes(size, "big")
    return tag_bytes + length_bytes + value
