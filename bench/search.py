"""Chinese full-text search (core.search) over 10,000 documents, beside a LIKE scan.

    PYTHONPATH=src python bench/search.py [--docs 10000] [--repeat 5] [--postgres URL]

For SQLite (a fresh file database) and PostgreSQL (a fresh database made on the server
at ``--postgres``, default the local one; ``--postgres none`` skips it): migrates,
bulk-indexes ``--docs`` synthetic case-like documents (sentences of the demo's cases,
recombined, with place names), then times ``core.search.search`` (segmenting the query,
the ranked statement, fetching the page of 20) for a set of one- to three-word queries,
and the plain ``title LIKE '%w%' OR body LIKE '%w%'`` scan for the same words (AND
across words, first 20 by id). Prints p50 / p95 per backend and PASS/FAIL of the
search's p50 against the 50 ms target (issue 16, "Speed"). The LIKE column also shows
how many documents the substring scan matches that the word search does not (老 inside
老人: the false hits on single characters that core.search avoids).
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
TARGET_MS = 50.0
QUERIES = [
    "加装电梯", "社区食堂", "四点半课堂", "停车", "垃圾分类", "院落自治", "楼栋长",
    "志愿者 老人", "老旧小区 改造", "居民 议事会 公约", "电动车 充电", "老", "托育",
    "微网格 应急", "共建单位 资源", "众筹 凉亭", "满意度", "社区规划师", "小红帽 需求",
    "快递",
]  # fmt: skip
PLACES = ["锦江花园", "凤凰家园", "大弯", "城厢", "弥牟", "清泉", "福洪", "姚渡", "祥福", "龙王"]


def corpus(n: int, seed: int = 16) -> list[dict]:
    from shezhi.demo.case_texts import CASES

    sentences = []
    for c in CASES:
        for field in ("background", "approach", "results", "summary"):
            sentences += [s + "。" for s in c[field].split("。") if s]
    titles = [c["title"] for c in CASES]
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        place = rng.choice(PLACES)
        body = place + "社区" + "".join(rng.sample(sentences, rng.randint(4, 9)))
        docs.append(
            {
                "doc_type": "bench",
                "object_id": i,
                "title": f"{place}：{rng.choice(titles)}",
                "body": body,
                "area_path": f"0001{rng.randrange(8):04d}{rng.randrange(20):04d}",
                "published": True,
            }
        )
    return docs


def run_backend(docs_n: int, repeat: int) -> None:
    """In a child process: DATABASE_URL names the backend."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shezhi.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Q

    from shezhi.core import search
    from shezhi.core.search.models import SearchDocument

    call_command("migrate", verbosity=0)
    SearchDocument.objects.filter(doc_type="bench").delete()
    t0 = time.perf_counter()
    rows = search.document_rows(corpus(docs_n))
    seg = time.perf_counter() - t0
    SearchDocument.objects.bulk_create(rows, batch_size=1000)
    load = time.perf_counter() - t0
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE search_searchdocument")

    def like(q: str) -> list[int]:
        cond = Q(doc_type="bench")
        for w in q.split():
            cond &= Q(title__contains=w) | Q(body__contains=w)
        return list(
            SearchDocument.objects.filter(cond).order_by("id").values_list("id", flat=True)[:20]
        )

    def like_all(q: str) -> int:
        cond = Q(doc_type="bench")
        for w in q.split():
            cond &= Q(title__contains=w) | Q(body__contains=w)
        return SearchDocument.objects.filter(cond).count()

    fts_ms, like_ms = [], []
    print(f"[{connection.vendor}] {docs_n} documents: segmented in {seg:.1f} s, "
          f"indexed in {load:.1f} s")  # fmt: skip
    print(f"  {'query':14s} {'search ms':>9s} {'hits':>5s}   {'LIKE ms':>8s} {'LIKE matches':>12s}")
    for q in QUERIES:
        search.search(q, doc_types=["bench"])  # warm
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            search.search(q, doc_types=["bench"], limit=20)
            times.append((time.perf_counter() - t) * 1000)
        lt = []
        for _ in range(repeat):
            t = time.perf_counter()
            like(q)
            lt.append((time.perf_counter() - t) * 1000)
        total = len(search.search(q, doc_types=["bench"], limit=100).hits)
        fts_ms += times
        like_ms += lt
        print(f"  {q:14s} {statistics.median(times):9.1f} {total:5d}{'+' if total == 100 else ' '}"
              f"  {statistics.median(lt):8.1f} {like_all(q):12d}")  # fmt: skip
    p50 = statistics.median(fts_ms)
    p95 = statistics.quantiles(fts_ms, n=20)[-1]
    lp50 = statistics.median(like_ms)
    ok = p50 < TARGET_MS
    verdict = "PASS" if ok else "FAIL"
    print(f"[{connection.vendor}] search p50 {p50:.1f} ms, p95 {p95:.1f} ms; LIKE scan p50 "
          f"{lp50:.1f} ms; target p50 < {TARGET_MS:.0f} ms: {verdict}")  # fmt: skip
    SearchDocument.objects.filter(doc_type="bench").delete()
    sys.exit(0 if ok else 1)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--docs", type=int, default=10_000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/postgres",
                    help="a server where a fresh database may be made; 'none' skips")  # fmt: skip
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        run_backend(args.docs, args.repeat)
        return 0
    cmd = [sys.executable, __file__, "--child", "--docs", str(args.docs), "--repeat",
           str(args.repeat)]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    env.pop("DATABASE_URL", None)
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        env_sqlite = {**env, "SHEZHI_DATA_DIR": tmp}
        failed += subprocess.run(cmd, env=env_sqlite, check=False).returncode != 0
        if args.postgres != "none":
            import psycopg

            name = f"shezhi_bench_search_{os.getpid()}"
            base = args.postgres
            with psycopg.connect(base, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            try:
                url = base.rsplit("/", 1)[0] + "/" + name
                env_pg = {**env, "SHEZHI_DATA_DIR": tmp, "DATABASE_URL": url}
                failed += subprocess.run(cmd, env=env_pg, check=False).returncode != 0
            finally:
                with psycopg.connect(base, autocommit=True) as conn:
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
    print("search bench:", "PASS" if not failed else "FAIL")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
