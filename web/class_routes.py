"""Class mode: a teacher starts a class, students join by code, the teacher sees them live and the
class follows the teacher's walkthrough step or lesson.

No accounts. The teacher's capability is an unguessable token in the teacher link (only its hash is
stored; "rotate" makes a new one). A student is a display name plus the sandbox they already have;
the browser's signed session remembers which class it is in. Live updates are polling with ETags:
a student's browser asks "has the follow step changed?" every CLASS_POLL_MS and gets a bodiless 304
until it has; the dashboard redraws its table every few seconds. Polling rather than server-sent
events: each open event stream would hold one of the WSGI server's few threads, a 304 holds none
(bench/class_follow.py measures it).
"""
from __future__ import annotations

import io
import secrets
import time

import segno
from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from markupsafe import Markup

from course import classroom, progress
from course.classroom import Activity
from course.checks import subgoals
from course.goals import holds
from course.lessons import all_lessons, find
from course.progress import CourseMeta, Glance
from course.walkthrough import walkthrough
from web import before_new_sandbox, current_store, i18n, ratelimit, sandboxes
from web.class_store import ClassFull, ClassInfo, ClassStore, StudentInfo, UnknownClass
from web.security import csrf_exempt
from web.store_errors import DamagedRecord

bp = Blueprint("classes", __name__)
api_bp = Blueprint("classes_api", __name__, url_prefix="/api/classes")

STUDENT_KEY = "class"            # session: {"code", "student_id", "following": bool}
TEACHING_KEY = "teaching"        # session: the code of the class this browser teaches
COURSE_KEY = "course_sandbox_id"  # the browser's course sandbox (web/course_routes.py)


def class_store() -> ClassStore:
    return current_app.extensions["class_store"]


def init_app(app, store: ClassStore) -> None:
    """Wire class mode into the app: its store, both blueprints, the class bar."""
    app.extensions["class_store"] = store
    app.register_blueprint(bp)
    app.register_blueprint(api_bp)
    app.context_processor(lambda: {"class_bar": class_bar()})


# ---- operations shared by the pages and the API -------------------------------------------------
def start_class() -> tuple[ClassInfo, str]:
    store, token = class_store(), secrets.token_urlsafe(24)
    store.cleanup()
    for _attempt in range(20):
        try:
            return store.create(classroom.make_code(secrets.randbelow), token,
                                current_app.config["CLASS_DAYS"] * 24 * 3600), token
        except KeyError:
            continue
    abort(503, description=_("No free class code right now; try again."))


def join_class(code: str, name: str, sandbox_id: str | None) -> StudentInfo:
    """Add a student (their sandbox, or a new course sandbox) to the class."""
    ratelimit.spend(ratelimit.JOINS)
    if class_store().get(code) is None:
        raise UnknownClass(code)
    if sandbox_id is None or current_store().version(sandbox_id) is None:   # version: a cheap "does it exist"
        before_new_sandbox()
        sandbox_id = sandboxes.create_course(current_store(), progress.open_lesson(None, all_lessons()[0]))
    student = StudentInfo(secrets.token_urlsafe(8), name, sandbox_id, time.time(),
                          Activity(progress_at=time.time()).to_json())
    class_store().add_student(code, student, current_app.config["CLASS_SIZE"])
    return student


def student_rows(info: ClassInfo) -> list[dict]:
    """One row per student for the dashboard and the API, folding in what changed since the last look."""
    now, rows = time.time(), []
    for student in class_store().students(info.code):
        before = Activity.from_json(student.activity)
        glanced = sandboxes.course_glance(current_store(), student.sandbox_id)
        if glanced is not None:   # the head alone: no sandbox loaded, no command replayed
            seen = _glimpse(*glanced, before, now)
        else:
            try:   # the live sandbox, read under its lock (changed outside a lesson, or not a course sandbox)
                seen = sandboxes.view(current_store(), student.sandbox_id, lambda outcome: _look(outcome, before, now))
            except DamagedRecord:   # the student's own next request recovers it; here it shows no work
                seen = None
        meta, activity, (met, total, goal_met), last = seen or _look(None, before, now)
        lesson = find(meta.lesson) if meta.lesson else None
        if activity != before:
            class_store().save_activity(info.code, student.student_id, activity.to_json())
        rows.append({"student_id": student.student_id, "name": student.name, "sandbox_id": student.sandbox_id,
                     "lesson": meta.lesson, "lesson_title": lesson.title if lesson else None,
                     "subgoals_met": met, "subgoals": total, "goal_met": goal_met,
                     "solved": list(meta.solved),
                     "stuck": classroom.is_stuck(activity, now, current_app.config["CLASS_STUCK_SECONDS"]),
                     "last_command": last["command"] if last else None,
                     "last_exit_code": last["exit_code"] if last else None, "activity": activity})
    return rows


def _look(outcome: sandboxes.Outcome | None, before: Activity,
          now: float) -> tuple[CourseMeta, Activity, tuple, dict | None]:
    """What the dashboard sees of one student's sandbox (None: gone): course progress, activity,
    (sub-goals met, sub-goals, goal met) and the last terminal entry. Reads, never changes, the sandbox."""
    transcript = outcome.sandbox.transcript if outcome is not None else []
    meta = sandboxes.course_summary(outcome.record) if outcome is not None else CourseMeta()
    lesson = find(meta.lesson) if meta.lesson else None
    met, total, goal_met = before.progress[2:] if len(before.progress) == 5 else (0, 0, False)
    if outcome is not None and lesson is not None and (len(transcript) != before.commands_seen or not total):
        world = progress.world(sandboxes.course_progress(outcome))   # the steps: only when something ran
        checklist = subgoals(lesson, world)
        met, total, goal_met = sum(1 for _text, done in checklist if done), len(checklist), holds(lesson.goal, world)
    activity = classroom.observe(before, transcript, (meta.lesson, len(meta.solved), met, total, goal_met), now)
    return meta, activity, (met, total, goal_met), (transcript[-1] if transcript else None)


def _glimpse(meta: CourseMeta, glance: Glance, before: Activity, now: float) -> tuple:
    """_look's answer from the glance a lesson change kept in the head."""
    checklist = (glance.met, glance.total, glance.goal_met)
    activity = classroom.observe(before, glance.transcript(), (meta.lesson, len(meta.solved), *checklist), now)
    return meta, activity, checklist, glance.last()


def follow_target(info: ClassInfo) -> str | None:
    """Where a following student's browser should be."""
    follow = info.follow
    if follow.get("kind") == "walkthrough":
        return url_for("course.walkthrough_page", step=follow.get("step", 0))
    if follow.get("kind") == "lesson" and find(str(follow.get("slug"))):
        return url_for("course.lesson_page", slug=follow["slug"])
    return None


# ---- pages --------------------------------------------------------------------------------------
def _page() -> dict:
    return i18n.page_languages()


def _teacher_class(token: str) -> ClassInfo:
    info = class_store().by_teacher(token)
    if info is None:
        abort(404)
    session[TEACHING_KEY] = info.code   # this browser now leads the class: its walkthrough steps are followed
    return info


def _qr_svg(url: str) -> Markup:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=6, border=2, xmldecl=False, svgns=True,
                                    title=url, svgclass="qr", lineclass=None, omitsize=True)
    return Markup(out.getvalue().decode())   # segno's own markup; it escapes the URL in <title>


@bp.get("/class")
def class_home():
    member = session.get(STUDENT_KEY)
    info = class_store().get(member["code"]) if isinstance(member, dict) else None
    return render_template("class/home.html", member=member if info else None, code=request.args.get("code", ""),
                           **_page())


@bp.post("/class")
def class_start():
    info, token = start_class()
    return redirect(url_for("classes.dashboard", token=token), 303)


@bp.post("/class/join")
def class_join():
    code = classroom.normalise_code(request.form.get("code", ""))
    name = classroom.clean_name(request.form.get("name", ""))
    error = None
    if name is None:
        error = _("Enter a display name of 1 to %(n)s characters.", n=classroom.MAX_NAME_CHARS)
    else:
        try:
            student = join_class(code, name, session.get(COURSE_KEY))
        except UnknownClass:
            error = _("No class has the code %(code)s. Check it with your teacher.", code=code)
        except ClassFull:
            error = _("This class is full (%(n)s students).", n=current_app.config["CLASS_SIZE"])
        else:
            session[COURSE_KEY] = student.sandbox_id
            session[STUDENT_KEY] = {"code": code, "student_id": student.student_id, "following": True,
                                    "name": student.name}
            session.permanent = True
            return redirect(url_for("classes.class_home"), 303)
    return render_template("class/home.html", member=None, code=code, error=error,
                           name=request.form.get("name", ""), **_page()), 400


@bp.post("/class/leave")
def class_leave():
    member = session.pop(STUDENT_KEY, None)
    if isinstance(member, dict):
        class_store().remove_student(member["code"], member["student_id"])   # their sandbox stays theirs
    return redirect(url_for("classes.class_home"), 303)


@bp.post("/class/following")
def class_following():
    """Break away (follow=0) or rejoin (follow=1): the student's own choice, kept in their session."""
    member = session.get(STUDENT_KEY)
    if not isinstance(member, dict):
        abort(404)
    session[STUDENT_KEY] = {**member, "following": request.form.get("follow") == "1"}
    info = class_store().get(member["code"])
    target = follow_target(info) if info and request.form.get("follow") == "1" else None
    back = request.form.get("next", "")
    if not back.startswith("/") or back[1:2] in ("/", "\\"):   # only a page of ours: no open redirect
        back = url_for("classes.class_home")
    return redirect(target or back, 303)


@bp.get("/class/follow")
def class_follow_state():
    """For a student's browser: where the class is. A 304 until the teacher moves (ETag = version)."""
    member = session.get(STUDENT_KEY)
    info = class_store().get(member["code"]) if isinstance(member, dict) else None
    if info is None:
        return jsonify({"member": False}), 404
    etag = f'"{info.code}-{info.follow_version}-{int(bool(member.get("following")))}"'
    if request.headers.get("If-None-Match") == etag:
        return "", 304, {"ETag": etag, "Cache-Control": "no-cache, private"}
    response = jsonify({"following": bool(member.get("following")), "target": follow_target(info),
                        "version": info.follow_version})
    response.headers.update({"ETag": etag, "Cache-Control": "no-cache, private"})
    return response


@bp.post("/class/lead")
def class_lead():
    """The teacher's browser says where it is (its walkthrough step); the class follows."""
    code = session.get(TEACHING_KEY)
    info = class_store().get(code) if isinstance(code, str) else None
    if info is None:
        abort(403)
    try:
        step = walkthrough().clamp(int(request.form.get("step", "")))
    except ValueError:
        abort(400, description=_("step must be a number"))
    if info.follow != {"kind": "walkthrough", "step": step}:
        class_store().set_follow(info.code, {"kind": "walkthrough", "step": step})
    return "", 204


@bp.get("/class/teach/<token>")
def dashboard(token: str):
    info = _teacher_class(token)
    join_url = url_for("classes.class_home", code=info.code, _external=True)
    rows = student_rows(info)
    return render_template("class/dashboard.html", info=info, token=token, join_url=join_url,
                           qr=_qr_svg(join_url), rows=rows, errors=_common_errors(rows), lessons=all_lessons(),
                           **_page())


def _common_errors(rows: list[dict]) -> list[classroom.CommonError]:
    return classroom.common_errors([row["activity"] for row in rows], time.time())


@bp.get("/class/teach/<token>/live")
def dashboard_live(token: str):
    """The dashboard's live part (htmx polls it): students and the class's common errors."""
    info = _teacher_class(token)
    rows = student_rows(info)
    return render_template("class/_live.html", info=info, token=token, rows=rows,
                           errors=_common_errors(rows), **_page())


@bp.post("/class/teach/<token>/send")
def send_class(token: str):
    info = _teacher_class(token)
    slug = request.form.get("lesson", "")
    if slug == "walkthrough":
        class_store().set_follow(info.code, {"kind": "walkthrough", "step": 0})
    elif find(slug):
        class_store().set_follow(info.code, {"kind": "lesson", "slug": slug})
    else:
        abort(400, description=_("Unknown lesson."))
    return redirect(url_for("classes.dashboard", token=token), 303)


@bp.post("/class/teach/<token>/rotate")
def rotate_link(token: str):
    info = _teacher_class(token)
    new = secrets.token_urlsafe(24)
    class_store().rotate(info.code, new)
    return redirect(url_for("classes.dashboard", token=new), 303)


@bp.get("/class/teach/<token>/students/<student_id>")
def student_stage(token: str, student_id: str):
    """A student's stage, read-only (and on the projector with ?present=1)."""
    info = _teacher_class(token)
    student = next((s for s in class_store().students(info.code) if s.student_id == student_id), None)
    try:
        outcome = sandboxes.load(current_store(), student.sandbox_id) if student else None
    except DamagedRecord:   # not the teacher's sandbox: the student's own next request recovers it
        outcome = None
    if outcome is None:
        abort(404)
    sandbox, last = outcome.sandbox, outcome.record.get("last")
    return render_template("class/student.html", info=info, token=token, student=student, sandbox=sandbox,
                           state=sandbox.state(), last=last, events=sandboxes.last_events(last),
                           present=request.args.get("present") == "1", **_page())


def class_bar() -> dict | None:
    """For every page: the class this browser is in (or teaches), to show the class bar."""
    member = session.get(STUDENT_KEY)
    if isinstance(member, dict):
        return {"role": "student", **member}
    if isinstance(session.get(TEACHING_KEY), str):
        return {"role": "teacher", "code": session[TEACHING_KEY]}
    return None


# ---- the JSON API -------------------------------------------------------------------------------
def _api_error(status: int, message: str):
    return jsonify({"error": message}), status


@api_bp.post("")
@csrf_exempt   # like /api/sandboxes: no cookies, the code or token is the credential
def api_start():
    info, token = start_class()
    return jsonify({"code": info.code, "teacher_token": token}), 201


@api_bp.post("/<code>/join")
@csrf_exempt   # like /api/sandboxes: no cookies, the code or token is the credential
def api_join(code: str):
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or not isinstance(body.get("name"), str):
        return _api_error(400, 'body must be a JSON object with a "name" string')
    name = classroom.clean_name(body["name"])
    if name is None:
        return _api_error(400, f"name must be 1 to {classroom.MAX_NAME_CHARS} printable characters")
    try:
        student = join_class(classroom.normalise_code(code), name, None)
    except UnknownClass:
        return _api_error(404, f"no such class: {code}")
    except ClassFull:
        return _api_error(409, f"class {code} is full ({current_app.config['CLASS_SIZE']} students)")
    return jsonify({"sandbox_id": student.sandbox_id}), 201


@api_bp.get("/<code>")
@csrf_exempt   # like /api/sandboxes: no cookies, the code or token is the credential
def api_class(code: str):
    info = class_store().get(classroom.normalise_code(code))
    if info is None:
        return _api_error(404, f"no such class: {code}")
    token = request.headers.get("X-Teacher-Token", "")
    teacher = class_store().by_teacher(token) if token else None
    if teacher is None or teacher.code != info.code:
        return _api_error(403, "this needs the class's teacher token (X-Teacher-Token)")
    students = [{"name": r["name"], "sandbox_id": r["sandbox_id"], "lesson": r["lesson"], "solved": r["solved"],
                 "stuck": r["stuck"], "last_command": r["last_command"], "last_exit_code": r["last_exit_code"]}
                for r in student_rows(info)]
    return jsonify({"code": info.code, "students": students})
