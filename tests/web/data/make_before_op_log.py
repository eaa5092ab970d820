"""How data/before-op-log.sql and .json were made: run with the code from before the op log as the
working directory (`python tests/web/data/make_before_op_log.py DB JSON`, then `sqlite3 DB .dump`).
Not a test: the tests only read what it wrote."""
import json, sys
sys.path.insert(0, ".")
from app import create_app

db, out = sys.argv[1], sys.argv[2]
app = create_app({"TESTING": True, "DATABASE": db, "SECRET_KEY": "legacy", "SANDBOXES_PER_MINUTE": 0})
c = app.test_client()
expected = {}

def new(**body):
    return c.post("/api/sandboxes", json=body).get_json()["id"]

a = new(scenario="article")
for line in ["docker run -d --name web nginx", "docker exec web touch /hello.txt", "docker commit web mine",
             "docker tag mine mine:2", "docker rmi mine:2"]:
    c.post(f"/api/sandboxes/{a}/commands", json={"command": line})
c.put(f"/api/sandboxes/{a}/host/Dockerfile", data=b"FROM alpine\nRUN echo hi > /greeting\n")
c.post(f"/api/sandboxes/{a}/commands", json={"command": "docker build -t greet ."})
c.post(f"/api/sandboxes/{a}/undo")
b = new()
for i in range(25):   # past two checkpoints
    c.post(f"/api/sandboxes/{b}/commands", json={"command": "docker pull alpine" if i == 0 else f"docker tag alpine t{i}"})
store = app.extensions["sandbox_store"]
for sid in (a, b):
    record = store.get(sid)
    expected[sid] = {"state": c.get(f"/api/sandboxes/{sid}").get_json(), "log": record["sandbox"]["log"],
                     "transcript": record["sandbox"]["transcript"],
                     "head": {k: v for k, v in record.items() if k != "sandbox"}}
# a course sandbox (lesson progress in meta)
with app.test_request_context():
    pass
import course.lessons as L
slug = L.all_lessons()[0].slug
page = c.get(f"/lessons/{slug}")
from web.security import HEADER, SESSION_KEY
with c.session_transaction() as s:
    token = s.setdefault(SESSION_KEY, "t" * 43)
c.post(f"/lessons/{slug}/commands", data={"command": "docker images"}, headers={HEADER: token})
c.post(f"/lessons/{slug}/hint", headers={HEADER: token})
with c.session_transaction() as s:
    cid = s["course_sandbox_id"]
record = store.get(cid)
expected[cid] = {"state": c.get(f"/api/sandboxes/{cid}").get_json(), "log": record["sandbox"]["log"],
                 "transcript": record["sandbox"]["transcript"], "head": {k: v for k, v in record.items() if k != "sandbox"}}
# a damaged record: kept aside, not served
import sqlite3
with sqlite3.connect(db) as conn:
    conn.execute("INSERT INTO sandboxes (id, data, created, last_used) VALUES ('damaged0000000000000000', '{not json', 1, 1e12)")
json.dump(expected, open(out, "w"), ensure_ascii=False, indent=1, sort_keys=True)
print(store.count(), "sandboxes")
