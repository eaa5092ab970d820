"""The Files panel and the build step view (web/files_routes.py): same sandbox as the terminal,
writes recorded for replay, htmx answers with the panel, plain posts redirected (no JS needed)."""
from __future__ import annotations

import io
import re
import tarfile

import pytest
from flask.sessions import SecureCookieSessionInterface

HX = {"HX-Request": "true"}
LEGACY = "DOCKER_BUILDKIT=0 docker build -t app ."


def sandbox_of(app, client):
    from web import sandboxes

    cookie = client.get_cookie("layerlab")
    sandbox_id = SecureCookieSessionInterface().get_signing_serializer(app).loads(cookie.value)["sandbox_id"]
    return sandboxes.load(app.extensions["sandbox_store"], sandbox_id).sandbox


def run(client, command):
    response = client.post("/commands", data={"command": command}, headers=HX)
    assert response.status_code == 200
    return response


def small_tar() -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        info = tarfile.TarInfo("hello.txt")
        info.size = 3
        tar.addfile(info, io.BytesIO(b"hi\n"))
    return buffer.getvalue()


@pytest.fixture
def learner(client):
    client.get("/")
    return client


# ---- the panel on the learner -------------------------------------------------------------------
def test_an_empty_directory_offers_the_articles_dockerfile_by_a_button_not_silently(app, learner):
    html = learner.get("/").get_data(as_text=True)
    assert 'id="files"' in html and 'id="panel-files"' in html
    assert '<form class="files-starter" method="post" action="/files/starter"' in html
    assert "Start with the article's Dockerfile" in html
    assert sandbox_of(app, learner).host_files() == []
    assert re.search(r'<section id="build" class="build build-none"', html) and "No build yet." in html


def test_the_starter_dockerfile_is_written_recorded_and_opened(app, learner):
    response = learner.post("/files/starter")
    assert response.status_code == 303 and response.headers["Location"].endswith("/#files")
    sandbox = sandbox_of(app, learner)
    assert sandbox.host_read("Dockerfile") == (b'FROM alpine\nRUN echo "hello from a layer" > /greeting\n'
                                               b'CMD ["cat", "/greeting"]\n')
    assert [(path, data[:11]) for _, path, data in sandbox.uploads] == [("Dockerfile", b"FROM alpine")]
    html = learner.get("/").get_data(as_text=True)
    assert "Created the article&#39;s Dockerfile." in html          # the one-shot notice
    assert "<textarea id=\"file-content\"" in html and "RUN echo &#34;hello from a layer&#34; &gt; /greeting" in html
    assert "files-starter" not in html
    again = learner.post("/files/starter", headers=HX).get_data(as_text=True)
    assert "There is a Dockerfile already: opened it instead." in again


def test_save_from_the_editor_writes_lf_line_ends_and_answers_htmx_with_the_panel(app, learner):
    response = learner.post("/files/save", data={"path": "Dockerfile", "content": "FROM alpine\r\nCMD [\"sh\"]\r\n"},
                         headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and html.lstrip().startswith('<section id="files"')
    assert "Saved Dockerfile (23 bytes)." in html
    assert sandbox_of(app, learner).host_read("Dockerfile") == b'FROM alpine\nCMD ["sh"]\n'


def test_save_refuses_a_path_outside_the_working_directory(app, learner):
    html = learner.post("/files/save", data={"path": "../etc/passwd", "content": "x"}, headers=HX).get_data(as_text=True)
    assert "../etc/passwd: not a path in the working directory" in html
    assert sandbox_of(app, learner).host_files() == []


def test_open_and_close_a_file_without_javascript(app, learner):
    learner.post("/files/new", data={"path": ".dockerignore"})
    learner.post("/files/save", data={"path": ".dockerignore", "content": "*.tar\n"})
    learner.get("/files?close=1")
    assert 'id="file-content"' not in learner.get("/").get_data(as_text=True)
    response = learner.get("/files?open=.dockerignore")
    assert response.status_code == 303
    html = learner.get("/").get_data(as_text=True)
    assert "Editing <code>~/.dockerignore</code>" in html and ">\n*.tar\n</textarea>" in html


def test_new_file_creates_an_empty_file_or_opens_an_existing_one(app, learner):
    html = learner.post("/files/new", data={"path": "app.py"}, headers=HX).get_data(as_text=True)
    assert "Created app.py." in html and "Editing <code>~/app.py</code>" in html
    assert sandbox_of(app, learner).host_read("app.py") == b""
    learner.post("/files/save", data={"path": "app.py", "content": "print(1)\n"})
    html = learner.post("/files/new", data={"path": "app.py"}, headers=HX).get_data(as_text=True)
    assert "app.py already exists: opened it." in html
    assert sandbox_of(app, learner).host_read("app.py") == b"print(1)\n"


# ---- upload and download -----------------------------------------------------------------------
def test_an_uploaded_tar_can_be_listed_and_loaded_from_the_terminal(app, learner):
    data = small_tar()
    response = learner.post("/files/upload", data={"file": (io.BytesIO(data), "rootfs.tar")},
                         content_type="multipart/form-data", headers=HX)
    html = response.get_data(as_text=True)
    assert "Uploaded rootfs.tar (10240 bytes). Try `docker load -i rootfs.tar` or `docker import rootfs.tar`." in html
    assert 'data-file="rootfs.tar" data-kind="tar"' in html and "filesystem tar" in html
    sandbox = sandbox_of(app, learner)
    assert sandbox.host_read("rootfs.tar") == data and sandbox.uploads[-1][1] == "rootfs.tar"
    run(learner, "docker import rootfs.tar mine:1")
    assert "mine:1" in sandbox_of(app, learner).state()["images"][0]["tags"]


def test_an_upload_over_the_limit_gets_a_clear_error_with_or_without_javascript(make_app):
    app = make_app(MAX_CONTENT_LENGTH=4096)
    client = app.test_client()
    client.get("/")
    big = {"file": (io.BytesIO(b"x" * 10_000), "big.bin")}
    html = client.post("/files/upload", data=big, content_type="multipart/form-data", headers=HX).get_data(as_text=True)
    assert "Upload refused: files up to 4 KiB can be uploaded here." in html
    plain = client.post("/files/upload", data={"file": (io.BytesIO(b"x" * 10_000), "big.bin")},
                        content_type="multipart/form-data")
    assert plain.status_code == 303
    assert "Upload refused: files up to 4 KiB can be uploaded here." in client.get("/").get_data(as_text=True)
    assert sandbox_of(app, client).host_files() == []


def test_upload_without_a_file_says_so(learner):
    html = learner.post("/files/upload", data={}, content_type="multipart/form-data", headers=HX).get_data(as_text=True)
    assert "Choose a file to upload first." in html


def test_download_is_an_attachment_with_the_files_bytes(app, learner):
    learner.post("/files/starter")
    run(learner, LEGACY)
    run(learner, "docker save -o app.tar app")
    response = learner.get("/files/download/app.tar")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == "attachment; filename=app.tar"
    assert response.mimetype == "application/x-tar"
    assert response.data == sandbox_of(app, learner).host_read("app.tar")
    with tarfile.open(fileobj=io.BytesIO(response.data)) as tar:
        assert "manifest.json" in tar.getnames()
    assert learner.get("/files/download/nothing.tar").status_code == 404


# ---- files a command wrote, and Delete -------------------------------------------------------------
def test_a_saved_archive_appears_highlighted_with_its_download_link(learner):
    learner.post("/files/starter")
    run(learner, LEGACY)
    run(learner, "docker save -o app.tar app")
    html = learner.get("/files/list", headers=HX).get_data(as_text=True)
    row = re.search(r'<li class="file-row file-new"\s+data-file="app.tar" data-kind="tar">.*?</li>', html, re.S).group(0)
    assert 'href="/files/download/app.tar"' in row and "image archive" in row
    assert 'data-command="tar -tvf app.tar"' in row and 'data-command="docker load -i app.tar"' in row
    run(learner, "ls")
    assert "file-new" not in learner.get("/files/list", headers=HX).get_data(as_text=True)


def test_delete_runs_rm_in_the_terminal_so_undo_brings_the_file_back(app, learner):
    learner.post("/files/starter")
    html = learner.get("/").get_data(as_text=True)
    form = re.search(r'<form class="file-delete" method="post" action="/commands">.*?</form>', html, re.S).group(0)
    assert '<input type="hidden" name="command" value="rm Dockerfile">' in form
    assert 'name="csrf_token"' in form
    run(learner, "rm Dockerfile")
    assert sandbox_of(app, learner).host_files() == []
    learner.post("/undo", headers=HX)
    assert sandbox_of(app, learner).host_files() == ["Dockerfile"]


def test_files_written_from_the_panel_survive_undo_of_a_later_command(app, learner):
    learner.post("/files/starter")
    run(learner, LEGACY)
    learner.post("/undo", headers=HX)
    sandbox = sandbox_of(app, learner)
    assert sandbox.host_files() == ["Dockerfile"] and sandbox.state()["images"] == []


# ---- the build, step by step ---------------------------------------------------------------------
def test_after_a_build_the_page_shows_its_last_step_and_the_final_image(app, learner):
    learner.post("/files/starter")
    run(learner, LEGACY)
    html = learner.get("/").get_data(as_text=True)
    assert re.search(r'<section id="build" class="build"\s+aria-labelledby="build-title" tabindex="0"', html)
    assert 'data-position="2" data-steps="2"' in html and 'data-builder="legacy"' in html
    image = sandbox_of(app, learner).daemon.image_by_tag("app:latest")
    assert f"image <code>{image.short_id}</code>" in html and "Forward →</span>" in html


def test_step_links_rerender_the_build_partial_and_work_without_javascript(learner):
    learner.post("/files/starter")
    run(learner, LEGACY)
    html = learner.get("/build?step=1", headers=HX).get_data(as_text=True)
    assert html.lstrip().startswith('<section id="build"') and 'data-position="1"' in html
    assert 'href="/build?step=0"' in html and 'href="/build?step=2"' in html
    assert 'RUN echo &#34;hello from a layer&#34; &gt; /greeting' in html and "A</span> <code>/greeting</code>" in html
    plain = learner.get("/build?step=0")
    assert plain.status_code == 303 and plain.headers["Location"].endswith("/?build_step=0#build")
    at_from = learner.get("/?build_step=0").get_data(as_text=True)
    assert 'data-position="0"' in at_from and "Step 1: FROM." in at_from


def test_a_rebuild_after_an_edit_shows_the_cache_hits_and_the_miss(learner):
    learner.post("/files/starter")
    run(learner, LEGACY)
    learner.post("/files/save", data={"path": "Dockerfile",
                                   "content": 'FROM alpine\nRUN echo "hello from a layer" > /greeting\nCMD ["cat"]\n'})
    run(learner, LEGACY)
    html = learner.get("/build", headers=HX).get_data(as_text=True)
    assert re.findall(r'data-outcome="([^"]+)"', html) == ["cache hit", "cache miss"]
    assert "1 from the cache, 1 ran; the cache broke at step 3" in html


def test_the_build_stays_through_later_commands_and_goes_with_the_undo_of_the_build(learner):
    learner.post("/files/starter")
    run(learner, LEGACY)
    # the article's next figure, `docker image ls -a`, is typed with the build still on show
    after = run(learner, "docker image ls -a").get_data(as_text=True)
    assert 'data-builder="legacy"' in after and 'data-position="2"' in after
    assert 'data-builder="legacy"' in learner.get("/build?step=1", headers=HX).get_data(as_text=True)
    # one undo takes back the build with the read-only `image ls -a` after it (engine Sandbox.undo)
    learner.post("/undo", headers=HX)
    assert re.search(r'class="build build-none"', learner.get("/build", headers=HX).get_data(as_text=True))


def test_a_build_opens_the_build_tab_and_a_saved_archive_the_files_tab(learner):
    html = learner.get("/").get_data(as_text=True)
    assert 'data-active="explain"' in html and re.search(r'id="panel-build"[^>]*hidden', html)
    learner.post("/files/starter")
    built = run(learner, LEGACY).get_data(as_text=True)
    assert re.search(r'<div id="side-tabs"[^>]*data-active="build" hx-swap-oob="true"', built)
    assert re.search(r'id="tab-build"[^>]*aria-selected="true"', built)
    saved = run(learner, "docker save -o app.tar app").get_data(as_text=True)
    assert 'data-active="files"' in saved and re.search(r'<div id="files-list" class="files-list" hx-swap-oob="true"[^>]*>', saved)
    assert re.search(r'class="file-row file-new"\s+data-file="app.tar"', saved)
    # the next command goes back to the tab the learner chose (What happened by default): the
    # explanation of what it did does not silently stay hidden behind Files or Build
    assert 'data-active="explain"' in run(learner, "docker ps").get_data(as_text=True)
    learner.get("/panel/files", headers=HX)     # a tab the learner picks stays
    assert 'data-active="files"' in run(learner, "docker images").get_data(as_text=True)
    page = learner.get("/").get_data(as_text=True)
    assert re.search(r'id="panel-files" class="side-body" role="tabpanel" aria-labelledby="tab-files">', page)


def test_tabs_work_without_javascript_and_htmx_only_remembers_the_choice(learner):
    page = learner.get("/?panel=commands").get_data(as_text=True)
    assert 'data-active="commands"' in page and re.search(r'id="panel-explain"[^>]*hidden', page)
    assert learner.get("/panel/build", headers=HX).status_code == 204
    assert 'data-active="build"' in learner.get("/").get_data(as_text=True)
    plain = learner.get("/panel/files")
    assert plain.status_code == 303 and plain.headers["Location"].endswith("/?panel=files#side")
    assert learner.get("/panel/nonsense").status_code == 404
