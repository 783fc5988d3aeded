"""The admin's model names in the case its phrases need.

Django builds «Добавить %s», «Изменить %s», «Выберите %s для изменения» from `verbose_name`, the
nominative; Russian wants the accusative there («Добавить подтему», «Добавить пользователя»). The
accusative of each model whose form differs is kept here, by model label; the rest read the same.
"""

from django import template

register = template.Library()

ACCUSATIVE = {
    "cur.sector": "отраслевую тематику",
    "cur.subtopic": "подтему",
    "cur.agency": "ответственного получателя",
    "appeals.problem": "проблему",
    "appeals.exportjob": "выгрузку",
    "structuring.modelversion": "версию модели структурирования",
    "ratings.methodology": "методику рейтинга",
    "heatmap.situation": "ситуацию",
    "cur.staffnotification": "уведомление сотрудника",
    "cur.apiclient": "клиента интеграции",
    "appeals.webhooksubscription": "подписку на события",
    "appeals.webhookdelivery": "доставку события",
    "auth.user": "пользователя",
    "auth.group": "группу",
}
# The phrases of the admin whose object is the model's name (after Django's Russian translation).
VERBS = ("Добавить ", "Изменить ", "Просмотреть ", "Выберите ")


def accusative_of(opts) -> str:
    """The model's name in the accusative (Meta.verbose_name when it reads the same)."""
    return ACCUSATIVE.get(opts.label_lower, str(opts.verbose_name))


@register.filter
def accusative(opts) -> str:
    return accusative_of(opts) if opts else ""


@register.simple_tag(takes_context=True)
def admin_title(context) -> str:
    """The page's `title` with the model's name declined: «Добавить подтема» → «Добавить подтему».
    A tag, not a filter: the admin's index and login pages have no `opts`."""
    return declined_title(context.get("title"), context.get("opts"))


def declined_title(title, opts) -> str:
    title = str(title or "")
    if not opts or not title.startswith(VERBS):
        return title
    verb, _, rest = title.partition(" ")
    name = str(opts.verbose_name)
    if rest == name or rest.startswith(name + " "):
        return f"{verb} {accusative_of(opts)}{rest[len(name):]}"
    return title
