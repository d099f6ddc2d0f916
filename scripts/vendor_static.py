#!/usr/bin/env python3
"""Fetch the pinned front-end packages from npm into the vendor static folder.

Run by hand when a pin changes; the resulting files are committed, so nothing
is downloaded when the platform runs or its tests run::

    python3 scripts/vendor_static.py           # fetch and write
    python3 scripts/vendor_static.py --check   # verify the committed files match

For each package it runs ``npm pack NAME@VERSION`` in a temporary folder,
checks the tarball against the pinned integrity hash, and copies only the
files listed below plus the package's licence into
``src/shezhi/core/static/vendor/<name>/`` (served with the site), or, for a
package only the tests use (axe-core), ``tests/browser/vendor/<name>/`` (never
served). ``VERSIONS.txt`` beside them records what came from where.
"""

from __future__ import annotations

import base64
import hashlib
import io
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "src" / "shezhi" / "core" / "static" / "vendor"
# Packages the browser tests inject into pages (not part of the site).
TEST_VENDOR = ROOT / "tests" / "browser" / "vendor"


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # npm's "sha512-…" of the tarball
    licence: str  # SPDX identifier, for VERSIONS.txt
    # Tarball path (under "package/") -> path under vendor/<name>/.
    # A path ending in "/" copies every file of that folder.
    files: dict[str, str]
    test_only: bool = False  # vendored under tests/browser/vendor/, not served

    @property
    def root(self) -> Path:
        return TEST_VENDOR if self.test_only else VENDOR


PACKAGES = [
    Package(
        name="leaflet",
        version="1.9.4",
        integrity=(
            "sha512-nxS1ynzJOmOlHp+iL3FyWqK89GtNL8U8rvlMOsQdTTssxZwCXh8N2NB3GDQOL+YR3XnWyZAxwQixURb+FA74PA=="
        ),
        licence="BSD-2-Clause",
        files={
            "dist/leaflet.js": "leaflet.js",
            # leaflet.js names its source map; the manifest storage of
            # collectstatic fails on a missing one, so ship it too.
            "dist/leaflet.js.map": "leaflet.js.map",
            "dist/leaflet.css": "leaflet.css",
            "dist/images/": "images/",
            "LICENSE": "LICENSE",
        },
    ),
    Package(
        name="echarts",
        version="5.6.0",
        integrity=(
            "sha512-oTbVTsXfKuEhxftHqL5xprgLoc0k7uScAwtryCgWF6hPYFLRwOUHiFmHGCBKP5NPFNkDVopOieyUqYGH8Fa3kA=="
        ),
        licence="Apache-2.0",
        files={
            # The full build (the dashboard's line, bar and pie charts); it names no
            # source map.
            "dist/echarts.min.js": "echarts.min.js",
            "LICENSE": "LICENSE",
            "NOTICE": "NOTICE",
            # LICENSE names this one for the d3 code bundled inside.
            "licenses/LICENSE-d3": "licenses/LICENSE-d3",
        },
    ),
    Package(
        name="leaflet.markercluster",
        version="1.5.3",
        integrity=(
            "sha512-vPTw/Bndq7eQHjLBVlWpnGeLa3t+3zGiuM7fJwCkiMFq+nmRuG3RI3f7f4N4TDX7T4NpbAXpR2+NTRSEGfCSeA=="
        ),
        licence="MIT",
        files={
            # The public event map's clusters (a Leaflet plugin; needs leaflet.js first).
            "dist/leaflet.markercluster.js": "leaflet.markercluster.js",
            # It names its source map: ship it for the manifest storage, as for leaflet.
            "dist/leaflet.markercluster.js.map": "leaflet.markercluster.js.map",
            "dist/MarkerCluster.css": "MarkerCluster.css",
            "dist/MarkerCluster.Default.css": "MarkerCluster.Default.css",
            "MIT-LICENCE.txt": "MIT-LICENCE.txt",
        },
    ),
    Package(
        name="axe-core",
        version="4.14.1",
        integrity=(
            "sha512-FHfa+lmNjQZfJz1q8wKqIDwC6DExcHt/pkjNQb09a3NPjCKg2rhu5qb2S4r76ASyFNNtuFooJpZe37OgudVGtQ=="
        ),
        licence="MPL-2.0",
        files={
            # The accessibility rules the browser tests run on every page they visit.
            "axe.min.js": "axe.min.js",
            "LICENSE": "LICENSE",
            "LICENSE-3RD-PARTY.txt": "LICENSE-3RD-PARTY.txt",
        },
        test_only=True,
    ),
]


def integrity_of(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def npm_pack(spec: str, workdir: Path) -> bytes:
    # The spec comes from the pins above, never from input.
    out = subprocess.run(
        ["npm", "pack", spec, "--silent", "--pack-destination", str(workdir)],  # noqa: S607
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    name = out.stdout.strip().splitlines()[-1]
    return (workdir / name).read_bytes()


def extract(pkg: Package, tarball: bytes) -> dict[str, bytes]:
    """The wanted files of the tarball, keyed by their path under vendor/<name>/."""
    wanted: dict[str, bytes] = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as tar:
        members = {
            m.name.removeprefix("package/"): m
            for m in tar.getmembers()
            if m.isfile() and m.name.startswith("package/")
        }
        for source, target in pkg.files.items():
            if source.endswith("/"):
                found = sorted(p for p in members if p.startswith(source))
                if not found:
                    raise SystemExit(f"{pkg.name}@{pkg.version}: no files under {source}")
                for path in found:
                    fh = tar.extractfile(members[path])
                    wanted[target + path.removeprefix(source)] = fh.read()
            else:
                if source not in members:
                    raise SystemExit(f"{pkg.name}@{pkg.version}: {source} not in the package")
                wanted[target] = tar.extractfile(members[source]).read()
    for target in wanted:
        # Never write outside the package's own folder.
        if target.startswith("/") or ".." in Path(target).parts:
            raise SystemExit(f"{pkg.name}: refusing path {target}")
    return wanted


def versions_text(packages: list[Package], files: dict[str, dict[str, bytes]]) -> str:
    lines = [
        "# Vendored front-end packages, written by scripts/vendor_static.py; do not edit.",
        "# name version licence integrity",
    ]
    for pkg in packages:
        lines.append(f"{pkg.name} {pkg.version} {pkg.licence} {pkg.integrity}")
        for target in sorted(files[pkg.name]):
            digest = hashlib.sha256(files[pkg.name][target]).hexdigest()
            lines.append(f"  {pkg.name}/{target} sha256:{digest}")
    return "\n".join(lines) + "\n"


def main() -> int:
    check = "--check" in sys.argv[1:]
    if not shutil.which("npm"):
        print("npm is needed to fetch the vendored packages", file=sys.stderr)
        return 2
    fetched: dict[str, dict[str, bytes]] = {}
    with tempfile.TemporaryDirectory(prefix="shezhi-vendor-") as tmp:
        for pkg in PACKAGES:
            spec = f"{pkg.name}@{pkg.version}"
            tarball = npm_pack(spec, Path(tmp))
            got = integrity_of(tarball)
            if got != pkg.integrity:
                print(f"{spec}: integrity {got} does not match the pin", file=sys.stderr)
                return 1
            fetched[pkg.name] = extract(pkg, tarball)
            print(f"fetched {spec} ({len(fetched[pkg.name])} files)")

    roots = sorted({pkg.root for pkg in PACKAGES})
    if check:
        stale = []
        for pkg in PACKAGES:
            folder = pkg.root / pkg.name
            on_disk = (
                {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()}
                if folder.exists()
                else set()
            )
            if on_disk != set(fetched[pkg.name]):
                stale.append(f"{pkg.name}: files differ")
            for target, data in fetched[pkg.name].items():
                path = folder / target
                if not path.exists() or path.read_bytes() != data:
                    stale.append(f"{pkg.name}/{target}")
        for root in roots:
            versions = versions_text([p for p in PACKAGES if p.root == root], fetched)
            versions_path = root / "VERSIONS.txt"
            if not versions_path.exists() or versions_path.read_text() != versions:
                stale.append(f"{versions_path.relative_to(ROOT)}")
        for item in stale:
            print(f"stale: {item}; run python3 scripts/vendor_static.py", file=sys.stderr)
        return 1 if stale else 0

    for pkg in PACKAGES:
        folder = pkg.root / pkg.name
        if folder.exists():
            shutil.rmtree(folder)
        for target, data in fetched[pkg.name].items():
            path = folder / target
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    for root in roots:
        root.mkdir(parents=True, exist_ok=True)
        (root / "VERSIONS.txt").write_text(
            versions_text([p for p in PACKAGES if p.root == root], fetched)
        )
        print(f"wrote {root.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
