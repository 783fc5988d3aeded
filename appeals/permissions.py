"""Who may take which action on an appeal they can see (what they can see is cur/scoping.py)."""

from appeals.models import Appeal
from cur.models import Membership
from cur.scoping import membership_of, scope_appeals, scope_of

Role = Membership.Role

CENTRE_ACTIONS = frozenset({
    "register", "assign", "forward", "request_clarification", "receive_clarification", "extend",
    "leave_without_answer", "return_for_rework", "close", "reopen", "correct",
})
# The responsible body answers, asks the citizen for details and passes on what is not its own.
EXECUTOR_ACTIONS = frozenset({"answer_interim", "answer_final", "request_clarification", "receive_clarification"})

ACTIONS_BY_ROLE = {
    Role.HEAD: CENTRE_ACTIONS,
    Role.IM_POS_OFFICER: CENTRE_ACTIONS,
    Role.OPERATOR: CENTRE_ACTIONS,
    Role.SECTOR_HEAD: CENTRE_ACTIONS - {"leave_without_answer"},
    Role.EXECUTOR: EXECUTOR_ACTIONS,
    Role.CURATOR: frozenset(),  # decides from dashboards, does not work the queue
    Role.INTEGRATOR: frozenset(),
}


def allowed_actions(user) -> frozenset[str]:
    if getattr(user, "is_superuser", False):
        return CENTRE_ACTIONS | EXECUTOR_ACTIONS
    membership = membership_of(user)
    return ACTIONS_BY_ROLE.get(membership.role, frozenset()) if membership else frozenset()


def is_executor(user) -> bool:
    membership = membership_of(user)
    return membership is not None and membership.role == Role.EXECUTOR


# The queue's bulk bar: actions that need nothing per appeal beyond the one choice (a body for «направить»).
BULK_ACTIONS = ("register", "assign", "close")


def bulk_actions(user) -> list[str]:
    """The bulk actions the user's role allows, in the bar's order; none for executors and curators."""
    mine = allowed_actions(user)
    return [name for name in BULK_ACTIONS if name in mine]


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


def outside_scope(user, appeals) -> list:
    """The appeals among `appeals` (Appeal objects) the user may not see; the system (None) sees all.
    A Problem operation moves every appeal it touches, so each of them must be the user's."""
    if user is None:
        return []
    ids = [appeal.pk for appeal in appeals]
    visible = set(scope_appeals(Appeal.objects.filter(pk__in=ids), user).values_list("pk", flat=True))
    return [appeal for appeal in appeals if appeal.pk not in visible]
