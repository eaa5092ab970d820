"""The JSON text checkpoints and snapshots are packed as: orjson's bytes, which for the engine's
state are json.dumps's own (so a record written before reads the same), and json's for what orjson
refuses."""
import json

from engine import jsontext
from engine.sandbox import Sandbox
from tests.engine.test_checkpoints import build


def as_json_wrote_it(value) -> bytes:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def test_a_sandbox_packs_to_the_bytes_json_writes():
    box = build(40)
    box.host_write("报告 ✓.txt", "中文, emoji 🐳, quotes \" and \\ and a tab\t\n".encode())
    box.run("docker run --name 容器 alpine echo '\u2028 and \x01'")
    state = box.to_json()
    assert jsontext.dumps(state) == as_json_wrote_it(state)
    assert jsontext.dumps(Sandbox.create(seed=3, scenario="article").to_json()) == \
        as_json_wrote_it(Sandbox.create(seed=3, scenario="article").to_json())


def test_what_orjson_refuses_is_written_by_json():
    huge = {"StopTimeout": 10 ** 30, "list": [2 ** 64, -(2 ** 70)]}
    assert jsontext.dumps(huge) == as_json_wrote_it(huge)
    keyed = {1: "a", None: "b"}
    assert jsontext.dumps(keyed) == b'{"1":"a","null":"b"}'
