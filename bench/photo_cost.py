"""What a hostile photo costs a worker: issue 12 item 9.

    python bench/photo_cost.py [--photos 6] [--edge 9400]

A PNG of 9,400 × 9,400 pixels (88 Mpx, a few hundred KB: one colour, a few lines)
sits under Pillow's decompression-bomb limit (89 Mpx). Before the fix six of them
in one request cost ~10 s of a worker's time, and two such requests starved the
2-worker server. Now the pixel count is read from the header and a photo over
``SHEZHI_PHOTO_MAX_PIXELS`` (40 Mpx) is refused before anything is decoded.

Side by side in one run, on the same files and the same code path
(``core.photos.process_photos``):
- baseline: the cap lifted above the photo (what every photo went through before:
  decoded, resized, re-encoded);
- now: the default cap, which refuses the photo from its header;
- for scale: a 12 Mpx phone JPEG, which goes through as before.
Prints wall time and the growth of peak resident memory for each; exits 1 if the refusal is not
at least 100× cheaper than decoding.
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
os.environ.setdefault("SHEZHI_DATA_DIR", tempfile.mkdtemp(prefix="shezhi-bench-photo-"))


def png_bomb(edge: int) -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("L", (edge, edge), 200)
    draw = ImageDraw.Draw(image)
    for y in range(0, edge, 997):
        draw.line([(0, y), (edge, y)], fill=40, width=3)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def phone_jpeg() -> bytes:
    from PIL import Image

    image = Image.effect_noise((4000, 3000), 60).convert("RGB")
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def run(label: str, payloads: list[tuple[str, bytes]], cap: int) -> tuple[float, float, str]:
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import override_settings

    from shezhi.core.errors import BadInput
    from shezhi.core.photos import process_photos

    uploads = [SimpleUploadedFile(name, data, content_type="image/png") for name, data in payloads]
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with override_settings(SHEZHI_PHOTO_MAX_PIXELS=cap, SHEZHI_MAX_PHOTO_BYTES=50 * 2**20):
        try:
            done = process_photos(uploads)
            outcome = f"accepted {len(done)}"
        except BadInput as refusal:
            outcome = f"refused: {refusal}"
    seconds = time.perf_counter() - start
    # Growth of the process's peak resident memory (Pillow decodes outside Python's heap).
    peak = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    print(f"{label:<44} {seconds * 1000:>10.1f} ms {peak:>9.1f} MB  {outcome[:70]}")
    return seconds, peak, outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--photos", type=int, default=6)
    parser.add_argument("--edge", type=int, default=9400)
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings

    bomb = png_bomb(args.edge)
    pixels = args.edge * args.edge
    print(
        f"{args.photos} PNGs of {args.edge} × {args.edge} = {pixels / 1e6:.1f} Mpx, "
        f"{len(bomb) / 1024:.0f} KB each; cap now {settings.SHEZHI_PHOTO_MAX_PIXELS / 1e6:.0f} Mpx"
    )
    print(f"{'':<44} {'wall':>13} {'peak':>12}")
    payloads = [(f"bomb{i}.png", bomb) for i in range(args.photos)]
    cap = settings.SHEZHI_PHOTO_MAX_PIXELS
    from django.utils import translation

    translation.activate("zh-hans")  # loaded once, as in a running server
    run("(warm-up)", payloads[:1], cap)
    # The refusal first: peak memory only grows, so the decode must come after it.
    now, _, outcome = run("now: refused from the header", payloads, cap)
    before, _, _ = run("baseline: decoded (cap lifted, as before)", payloads, pixels + 1)
    run("for scale: one 12 Mpx phone JPEG", [("phone.jpg", phone_jpeg())], cap)
    ratio = before / now if now else float("inf")
    ok = outcome.startswith("refused") and ratio >= 100
    print(f"refusal is {ratio:,.0f}× cheaper than decoding: {'PASS' if ok else 'FAIL'} (≥ 100×)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
