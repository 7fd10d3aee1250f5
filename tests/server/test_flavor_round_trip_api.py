"""Every built-in flavor's configuration survives the API unchanged, and its schema has every field used."""

from __future__ import annotations

from fastapi.testclient import TestClient

from flavor_examples import EXAMPLES, SECRETS


def test_every_flavor_config_round_trips_through_the_api(client: TestClient) -> None:
    for name, values in SECRETS.items():
        assert client.post("/api/v1/secrets", json={"name": name, "values": values}).status_code == 201
    for (ctype, flavor), config in EXAMPLES.items():
        body = {"name": f"ex-{flavor}", "type": ctype, "flavor": flavor, "config": config}
        made = client.post("/api/v1/components", json=body)
        assert made.status_code == 201, made.text
        got = client.get(f"/api/v1/components/ex-{flavor}", params={"type": ctype}).json()
        assert got["config"] == config, (ctype, flavor)
        schema = client.get(f"/api/v1/flavors/{ctype}/{flavor}").json()["config_schema"]
        assert set(config) <= set(schema["properties"])  # the dashboard's form draws every field used here
