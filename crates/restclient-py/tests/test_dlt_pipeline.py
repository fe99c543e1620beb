"""Inside dlt: the same ``@dlt.resource`` written with dlt's RESTClient and with ours, run by
``dlt.pipeline(destination="duckdb")``, loads the same rows."""

import duckdb
import pytest


@pytest.fixture
def dlt_env(tmp_path, monkeypatch):
    monkeypatch.setenv("RUNTIME__DLTHUB_TELEMETRY", "false")
    monkeypatch.setenv("DLT_DATA_DIR", str(tmp_path / "dlt-data"))
    monkeypatch.chdir(tmp_path)
    return tmp_path


def load(tmp_path, name, client_class, paginator, url):
    import dlt

    @dlt.resource(name="items", primary_key="id", write_disposition="replace")
    def items():
        client = client_class(base_url=url, paginator=paginator, data_selector="items")
        yield from client.paginate("/rows")

    db = tmp_path / f"{name}.duckdb"
    pipeline = dlt.pipeline(
        pipeline_name=f"rc_{name}",
        destination=dlt.destinations.duckdb(str(db)),
        dataset_name="data",
        pipelines_dir=str(tmp_path / "pipelines"),
    )
    pipeline.run(items())
    con = duckdb.connect(str(db))
    try:
        tables = {}
        for (table,) in con.sql(
            "select table_name from information_schema.tables where table_schema = 'data' "
            "and table_name not like '_dlt%' order by 1"
        ).fetchall():
            columns = [
                c
                for (c,) in con.sql(
                    f"select column_name from information_schema.columns where table_schema = 'data' "
                    f"and table_name = '{table}' and column_name not in ('_dlt_load_id', '_dlt_id', '_dlt_parent_id', '_dlt_root_id') order by 1"
                ).fetchall()
            ]
            rows = con.sql(f'select {", ".join(columns)} from data."{table}" order by all').fetchall()
            tables[table] = (columns, rows)
        return tables
    finally:
        con.close()


def test_pipeline_loads_the_same_rows(server, dlt_env):
    from dlt.sources.helpers.rest_client import RESTClient as DltClient
    from dlt.sources.helpers.rest_client.paginators import OffsetPaginator as DltOffset

    from restclient import RESTClient
    from restclient.paginators import OffsetPaginator

    theirs = load(dlt_env, "dlt", DltClient, DltOffset(limit=10), server.url)
    ours = load(dlt_env, "ours", RESTClient, OffsetPaginator(limit=10), server.url)
    assert "items" in ours and "items__tags" in ours
    assert len(ours["items"][1]) == 23
    assert ours == theirs
