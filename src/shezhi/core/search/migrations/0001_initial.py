from django.db import migrations, models

# SQLite: an external-content FTS5 table over the segmented columns, fed by triggers.
SQLITE_UP = [
    "CREATE VIRTUAL TABLE search_fts USING fts5("
    "title_terms, body_terms, content='search_searchdocument', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER search_fts_ai AFTER INSERT ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(rowid, title_terms, body_terms) "
    "VALUES (new.id, new.title_terms, new.body_terms); END",
    "CREATE TRIGGER search_fts_ad AFTER DELETE ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms); END",
    "CREATE TRIGGER search_fts_au AFTER UPDATE ON search_searchdocument BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_terms, body_terms) "
    "VALUES ('delete', old.id, old.title_terms, old.body_terms); "
    "INSERT INTO search_fts(rowid, title_terms, body_terms) "
    "VALUES (new.id, new.title_terms, new.body_terms); END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_fts_au",
    "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai",
    "DROP TABLE IF EXISTS search_fts",
]
# PostgreSQL: the `simple` configuration over the same segmented words (it only
# lower-cases: no stemming, no stop words), title weighted A, body B.
POSTGRES_UP = [
    "ALTER TABLE search_searchdocument ADD COLUMN terms tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', title_terms), 'A') || "
    "setweight(to_tsvector('simple', body_terms), 'B')) STORED",
    "CREATE INDEX search_terms_gin ON search_searchdocument USING gin (terms)",
    # Ranking reads this small vector, not the whole text's: ts_rank over every word of
    # thousands of matching documents was most of a search's time.
    "ALTER TABLE search_searchdocument ADD COLUMN rank_terms tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', title_terms), 'A') || "
    "setweight(to_tsvector('simple', lead_terms), 'B')) STORED",
]
POSTGRES_DOWN = [
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS rank_terms",
    "DROP INDEX IF EXISTS search_terms_gin",
    "ALTER TABLE search_searchdocument DROP COLUMN IF EXISTS terms",
]


def _run(statements):
    def run(apps, schema_editor):
        vendor = schema_editor.connection.vendor
        for sql in statements.get(vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("doc_type", models.CharField(max_length=40, verbose_name="document type")),
                ("object_id", models.CharField(max_length=64, verbose_name="object id")),
                ("area_path", models.CharField(blank=True, max_length=255)),
                ("title", models.CharField(max_length=300, verbose_name="title")),
                ("body", models.TextField(blank=True, verbose_name="body")),
                ("url", models.CharField(blank=True, max_length=300, verbose_name="address")),
                ("published", models.BooleanField(default=False, verbose_name="published")),
                ("title_terms", models.TextField(blank=True, editable=False)),
                ("body_terms", models.TextField(blank=True, editable=False)),
                ("lead_terms", models.TextField(blank=True, editable=False)),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="updated at")),
            ],
            options={
                "verbose_name": "search document",
                "verbose_name_plural": "search documents",
                "indexes": [models.Index(fields=["area_path"], name="searchdoc_path_idx")],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("doc_type", "object_id"), name="searchdoc_unique"
                    )
                ],
            },
        ),
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": POSTGRES_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": POSTGRES_DOWN}),
        ),
    ]
