"""Rights — what each role may DO, beside cur/scoping.py, which decides what it may SEE.

The services check them themselves (`require`), so a view, the API, an import or a task can never do
what the role may not; the views ask `allowed_actions` only to show the buttons the service will accept.
`by=None` is the platform itself (intake from the sources, the beat jobs, the citizen's verdict link).

An action on an appeal needs the right AND the appeal inside the caller's scope (`Scope.covers`): an
executor acts only on what is assigned to their body, a МЦУ only inside its municipality, a sector-block
head only inside the block's sectors.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied

from cur.models import Membership
from cur.scoping import IntakeScope, membership_of, person_channels, scope_of

Role = Membership.Role

# The status machine's actions (appeals/lifecycle/transitions.py ACTIONS) and the card's corrections.
CENTRE_ACTIONS = frozenset({
    "register", "assign", "forward", "request_clarification", "receive_clarification", "extend",
    "leave_without_answer", "return_for_rework", "close", "reopen", "correct",
})
# The responsible body answers, asks the citizen for details and passes on what is not its own.
EXECUTOR_ACTIONS = frozenset({"answer_interim", "answer_final", "request_clarification", "receive_clarification"})
# Rights that are not an action on one appeal.
PROBLEMS = "problems"  # merge, split, join, detach Problems (each appeal moved must be in scope)
INTAKE = "intake"  # the staff form, file imports, the quarantine (raw data with personal data, unrouted)
API_CREATE = "api_create"  # POST /api/v1/appeals/
SITUATIONS = "situation_move"  # move a conflict situation new → under review → roadmap / dismissed
# The centre's documents (reports/): its own only — a right and the document's centre being the user's.
NOTE_EDIT = "note_edit"  # rebuild a draft weekly note, edit its text sections
NOTE_FINAL = "note_finalise"  # mark it final: the head signs it off
REPORT_SUBMIT = "report_submit"  # a МЦУ fills and submits its indicator report
REPORT_REVIEW = "report_review"  # the ЦУР accepts or returns it
ROADMAP_EDIT = "roadmap_edit"  # open a roadmap on the territory, write its measures, mark them done
ROADMAP_APPROVE = "roadmap_approve"  # approve it (the head or the curator), close it
CENTRE_RIGHTS = CENTRE_ACTIONS | {PROBLEMS}
INTAKE_RIGHTS = frozenset({INTAKE, API_CREATE})
DOCUMENT_RIGHTS = frozenset({NOTE_EDIT, REPORT_SUBMIT, REPORT_REVIEW, ROADMAP_EDIT})

RIGHTS_BY_ROLE: dict[str, frozenset[str]] = {
    Role.HEAD: CENTRE_RIGHTS | INTAKE_RIGHTS | DOCUMENT_RIGHTS | {SITUATIONS, NOTE_FINAL, ROADMAP_APPROVE},
    Role.IM_POS_OFFICER: CENTRE_RIGHTS | INTAKE_RIGHTS | DOCUMENT_RIGHTS,
    Role.OPERATOR: CENTRE_RIGHTS | INTAKE_RIGHTS | DOCUMENT_RIGHTS,
    # watches one block: works its appeals, but the law's refusals (ст. 11) and intake are the centre's
    Role.SECTOR_HEAD: CENTRE_RIGHTS - {"leave_without_answer"} | {SITUATIONS},
    Role.EXECUTOR: EXECUTOR_ACTIONS,
    # decides from dashboards and documents, does not work the queue; approves the МЦУ's reports
    Role.CURATOR: frozenset({SITUATIONS, REPORT_REVIEW, ROADMAP_EDIT, ROADMAP_APPROVE}),
    Role.INTEGRATOR: frozenset({API_CREATE}),
}
EVERY_RIGHT = frozenset().union(*RIGHTS_BY_ROLE.values())

# The queue's bulk bar: actions that need nothing per appeal beyond the one choice (a body for «направить»).
BULK_ACTIONS = ("register", "assign", "close")


class Forbidden(PermissionDenied):
    """The caller's role or territory does not allow this; nothing was changed."""


def rights_of(user) -> frozenset[str]:
    """Every right of the user's role (a superuser has them all, a user without a role none)."""
    if getattr(user, "is_superuser", False):
        return EVERY_RIGHT
    membership = membership_of(user)
    return RIGHTS_BY_ROLE.get(membership.role, frozenset()) if membership else frozenset()


def allowed_actions(user) -> frozenset[str]:
    """The appeal actions of the user's role (the card shows these, the services accept only these)."""
    return rights_of(user) & (CENTRE_ACTIONS | EXECUTOR_ACTIONS)


def may(user, right: str) -> bool:
    return user is None or right in rights_of(user)


def require(by, right: str, *, appeal=None, situation=None, message: str = "") -> None:
    """Raise Forbidden unless `by` has `right` and, when given, `appeal` (or a conflict `situation`) lies in
    their scope. Either is any object with region_id, municipality_id, sector_id and agency_id (read as it
    is now: the services pass the row they have locked)."""
    if by is None:
        return
    if right not in rights_of(by):
        raise Forbidden(message or "Это действие недоступно для вашей роли.")
    if appeal is not None and not scope_of(by).covers(appeal):
        raise Forbidden("Обращение вне вашей зоны ответственности.")
    if situation is not None and not scope_of(by).covers(situation):
        raise Forbidden("Ситуация вне вашей зоны ответственности.")


def require_own_centre(by, right: str, centre, message: str = "") -> None:
    """Raise Forbidden unless `by` has `right` in `centre` itself (a document of a centre is its own work: the
    ЦУР reads a МЦУ's note, it does not write it). The platform (None) and a superuser may."""
    if by is None or getattr(by, "is_superuser", False):
        return
    if right not in rights_of(by):
        raise Forbidden(message or "Это действие недоступно для вашей роли.")
    membership = membership_of(by)
    if membership is None or membership.centre_id != centre.pk:
        raise Forbidden("Документ другого центра: его ведёт сам центр.")


def outside_scope(user, appeals) -> list:
    """The appeals among `appeals` the user may not see; the system (None) sees all. A Problem
    operation moves every appeal it touches, so each of them must be the user's."""
    if user is None:
        return []
    scope = scope_of(user)
    return [appeal for appeal in appeals if not scope.covers(appeal)]


def sectors_outside_block(user, sector_ids) -> set[int]:
    """The sectors among `sector_ids` that lie outside the user's sector block. A руководитель
    отраслевого блока works inside the block's sectors only: moving an appeal to another block's
    subtopic takes it out of their own view, so it is the МЦУ's or the ЦУР's operators' decision.
    Empty for every other role (they see all sectors of their territory) and for the system (None)."""
    if user is None:
        return set()
    block = scope_of(user).sector_ids
    if block is None:
        return set()
    return {pk for pk in sector_ids if pk not in block}


def can_take_in(user) -> bool:
    """The staff form, file imports and the quarantine."""
    return INTAKE in rights_of(user)


def can_create_via_api(user) -> bool:
    """REST create: the integrator's job, and the operators' (the same as the staff form)."""
    return API_CREATE in rights_of(user)


def intake_scope(user, *, api: bool = False) -> IntakeScope:
    """Where `user` may write through intake: their centre's territory, the channels people write.
    Raises Forbidden for a user without the right — curators, sector heads, executors, and the
    integrator except through the REST API (`api=True`)."""
    require(user, API_CREATE if api else INTAKE,
            message="Приём обращений доступен операторам ЦУР и МЦУ" + (" и интегратору." if api else "."))
    scope = scope_of(user)
    return IntakeScope(region_id=scope.region_id, municipality_id=scope.municipality_id, channels=person_channels())


def is_executor(user) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.role == Role.EXECUTOR


def bulk_actions(user) -> list[str]:
    """The bulk actions the user's role allows, in the bar's order; none for executors and curators."""
    mine = allowed_actions(user)
    return [name for name in BULK_ACTIONS if name in mine]
