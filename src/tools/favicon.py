#!/usr/bin/env python3
"""Writes src/main/resources/META-INF/resources/favicon.ico: favicon.svg's drawing (a step line over a
baseline on a dark rounded square) at 16 and 32 pixels, for browsers and tools that ask for
/favicon.ico. Standard library only; run from the repository's root: python3 src/tools/favicon.py"""
import struct

INK, STEP, BASE = (0x1D, 0x24, 0x30), (0xFF, 0xBF, 0x47), (0x3B, 0x6F, 0xB6)
STEPS = [(6, 22), (13, 22), (13, 14), (20, 14), (20, 9), (26, 9)]  # favicon.svg's coordinates (0..32)


def near_segment(x, y, a, b, half):
    (x1, y1), (x2, y2) = a, b
    dx, dy = x2 - x1, y2 - y1
    t = max(0.0, min(1.0, ((x - x1) * dx + (y - y1) * dy) / float(dx * dx + dy * dy)))
    px, py = x1 + t * dx, y1 + t * dy
    return (x - px) ** 2 + (y - py) ** 2 <= half * half


def inside_rounded(x, y, r=6.0, size=32.0):
    cx = min(max(x, r), size - r)
    cy = min(max(y, r), size - r)
    return (x - cx) ** 2 + (y - cy) ** 2 <= r * r


def colour_at(x, y):
    """The drawing's colour at a point of the 32-unit square, or None outside it."""
    if not inside_rounded(x, y):
        return None
    if any(near_segment(x, y, a, b, 1.5) for a, b in zip(STEPS, STEPS[1:])):
        return STEP
    if near_segment(x, y, (6, 26), (26, 26), 1.0):
        return BASE
    return INK


def image(size, samples=4):
    """BGRA rows, bottom row first (as a BMP holds them), each pixel averaged over samples x samples points."""
    rows = []
    for row in range(size - 1, -1, -1):
        pixels = b""
        for col in range(size):
            r = g = b = a = 0
            for i in range(samples):
                for j in range(samples):
                    x = (col + (i + 0.5) / samples) * 32.0 / size
                    y = (row + (j + 0.5) / samples) * 32.0 / size
                    c = colour_at(x, y)
                    if c:
                        r, g, b, a = r + c[0], g + c[1], b + c[2], a + 1
            n = samples * samples
            pixels += bytes((b // a, g // a, r // a, 255 * a // n)) if a else bytes(4)
        rows.append(pixels)
    return b"".join(rows)


def entry_image(size):
    header = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, 0, 0, 0, 0, 0)
    mask = bytes(((size + 31) // 32) * 4 * size)  # all shown: the alpha channel decides
    return header + image(size) + mask


def ico(sizes):
    images = [entry_image(size) for size in sizes]
    out = struct.pack("<HHH", 0, 1, len(sizes))
    offset = 6 + 16 * len(sizes)
    for size, data in zip(sizes, images):
        out += struct.pack("<BBBBHHII", size % 256, size % 256, 0, 0, 1, 32, len(data), offset)
        offset += len(data)
    return out + b"".join(images)


if __name__ == "__main__":
    with open("src/main/resources/META-INF/resources/favicon.ico", "wb") as f:
        f.write(ico([16, 32]))
