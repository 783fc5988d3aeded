"""Answer quality: flags for a formal reply («отписка») that the ЦУР/МЦУ operator sees before
accepting an answer or returning it for rework, and the same check as plain-Russian hints while the
executor is still typing. A plain function over the text; the lexicon is our own.

An answer on the merits names a concrete action and its moment: a date in the future (or «в течение
3 дней», «до конца недели», «во II квартале 2027 г.») is a plan and needs an action in a plan form
(«будет заменён», «заменим», «запланировано»); a past date is a report and needs an action that is
done («засыпана», «заменили»). «Past» and «future» are counted from the answer's own moment (`at`).
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

TEMPLATE_ONLY = "template_only"
NO_DATE_OR_ACTION = "no_date_or_action"
LEGAL_WITHOUT_EXPLANATION = "legal_without_explanation"
NO_EVIDENCE = "no_evidence"

FLAG_LABELS = {
    TEMPLATE_ONLY: "шаблонный ответ без сути",
    NO_DATE_OR_ACTION: "нет конкретного действия или срока",
    LEGAL_WITHOUT_EXPLANATION: "ссылки на нормы без разъяснения",
    NO_EVIDENCE: "нет фотоотчёта или акта, хотя подтема или механизм ускоренного решения их требуют",
}

# What the executor is told to add, one line per gap (shown under the answer while it is typed).
HINT_TEMPLATE = ("Ответ состоит из общих фраз («на контроле», «проведена работа»). Напишите по существу: "
                 "что именно сделано или будет сделано.")
HINT_DATE = ("Назовите срок: до какого числа будет сделано или когда сделано "
             "(например, «до 15.12.2026», «в течение 3 дней»).")
HINT_ACTION = ("Назовите действие: что именно сделано или будет сделано "
               "(например, «яма засыпана щебнем», «трубу заменят»).")
HINT_FUTURE_DONE = ("Срок указан в будущем, а работы названы выполненными: напишите, что будет сделано "
                    "к этой дате, или укажите дату, когда сделано.")
HINT_PAST_PLAN = ("Указанная дата уже прошла, а работы названы запланированными: напишите, что сделано, "
                  "или назовите новый срок.")
HINT_LEGAL = ("Вы сослались на нормы — объясните простыми словами, что из них следует для заявителя и что "
              "будет сделано.")
HINT_EVIDENCE = "Подтема требует подтверждения: приложите к ответу фото или акт выполненных работ."

_FORMAL = re.compile(
    r"на (личном )?контроле|будет рассмотрен|при формировании бюджета|в установленном порядке"
    r"|в (рамках|пределах) (своей )?компетенции|по мере (поступления )?финансирования|принят[аоы]? к сведению"
    r"|проведена работа|даны поручения|направлен запрос|рассмотрено в соответствии"
    r"|вопрос (изучается|прорабатывается)|будут приняты меры|принимаются (все )?(необходимые )?меры"
    r"|по возможности|в плановом порядке|в порядке очер[её]дности|в кратчайшие сроки|в ближайшее время",
    re.IGNORECASE,
)
_LEGAL = re.compile(
    r"федеральн\w* закон\w*|№\s?\d+-ФЗ|\b\d+-ФЗ\b|\bстать[яиеё]\w*\s+\d+|\bст\.\s?\d+"
    r"|постановлени\w+\s+(правительства|администрации)|кодекс\w*",
    re.IGNORECASE,
)
_EVIDENCE = re.compile(r"фото|акт\w*\s+(выполненных работ|обследования|осмотра)|прилага", re.IGNORECASE)
# The date of a law cited («от 02.05.2006 № 59-ФЗ») is not the moment of anything done for the citizen.
_LAW_DATE = re.compile(r"\bот\s+\d{1,2}\.\d{1,2}\.\d{2,4}\s*(г\.?)?\s*(№|N)\s*[\d-]+\s*-?\s*ФЗ", re.IGNORECASE)

# --- dates -------------------------------------------------------------------------------------------------

_MONTH = (r"(?P<month>(?:январ|феврал|апрел|июн|июл|сентябр|октябр|ноябр|декабр)(?:ь|я|е|ю|ём|ем)"
          r"|(?:март|август)(?:а|е|у|ом)?|ма(?:й|я|е|ю|ем))(?!\w)")
_MONTHS = ("январ", "феврал", "март", "апрел", "ма", "июн", "июл", "август", "сентябр", "октябр", "ноябр", "декабр")
_YEAR = r"(?:\s+(?P<year>20\d\d)(?:\s*(?:г\.?|года?|году)(?!\w))?)?"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "1": 1, "2": 2, "3": 3, "4": 4}
_ORDINAL = {"перв": 1, "втор": 2, "трет": 3, "четв": 4}
_SEASONS = {"весн": (3, 5), "весен": (3, 5), "лет": (6, 8), "осен": (9, 11), "зим": (1, 2)}
_FUTURE, _PAST, _NOW = "future", "past", "now"

_NUMERIC = re.compile(r"(?<![\d.,])(?P<day>\d{1,2})\.(?P<mon>\d{1,2})\.(?P<year>\d{4}|\d{2})(?![\d]|\.\d)")
# «15.12» without a year, but not «ст. 12.15», «п. 3.2», «СП 59.13330» or a time «10.00»
_NUMERIC_SHORT = re.compile(r"(?<![\d.,])(?<!ст\. )(?<!п\. )(?<!ч\. )(?<!ст\.)(?<!п\.)(?<!ч\.)"
                            r"(?P<day>\d{2})\.(?P<mon>\d{2})(?![\d]|\.\d)")
_DAY_MONTH = re.compile(r"(?<!\w)(?P<day>\d{1,2})(?:-?го)?\s+" + _MONTH + _YEAR, re.IGNORECASE)
_MONTH_YEAR = re.compile(r"(?<!\w)" + _MONTH + _YEAR, re.IGNORECASE)
_QUARTER = re.compile(r"(?<!\w)(?P<q>iv|i{1,3}|[1-4]|перв|втор|трет|четв[её]рт)\w*(?:-?[йм])?\s+"
                      r"(?P<unit>квартал|полугоди)\w*" + _YEAR, re.IGNORECASE)
_SEASON = re.compile(r"(?<!\w)(?P<season>весн\w+|весенн\w+\s+период\w*|летом|лета|лето|летн\w+\s+период\w*"
                     r"|осен\w+|зим(?:ой|а|ы|е|у)|зимн\w+\s+период\w*)(?!\w)" + _YEAR, re.IGNORECASE)
_YEAR_ONLY = re.compile(r"(?<!\w)(?:в|во|на|до|к|с|по|течение)\s+(?P<year>20\d\d)(?:\s*[-–—]\s*20\d\d)?\s*"
                        r"(?:г\.?|год\w*|гг\.?)(?!\w)", re.IGNORECASE)
_RELATIVE = [
    (_FUTURE, re.compile(
        r"в течение\s+(?:\d+|\w+)?\s*(?:\w+\s+)?(?:дн|дня|суток|час|недел|месяц|рабоч)"
        r"|через\s+(?:\d+\s+|\w+\s+)?(?:дн|дня|день|суток|час|недел|месяц)"
        r"|в ближайшие\s+(?:\d+|\w+)\s+(?:\w+\s+)?(?:дн|суток|час|недел|месяц)"
        r"|до конца\s+(?:текущ\w+\s+|этой\s+|этого\s+|учебного\s+)?(?:дня|недели|месяца|квартала|года|четверти)"
        r"|на (?:следующей|этой|будущей) неделе|в (?:следующем|будущем) (?:месяце|квартале|году)"
        r"|на (?:следующий|будущий|очередной) (?:год|месяц|квартал)|(?:до|к) начал\w+ (?:отопительного|учебного)"
        r"|в срок до \w|\bзавтра\b|послезавтра|не позднее \w", re.IGNORECASE)),
    (_PAST, re.compile(r"\bвчера\b|позавчера|на прошлой неделе|в прошлом (?:месяце|квартале|году)",
                       re.IGNORECASE)),
    (_NOW, re.compile(r"\bсегодня\b|в (?:этом|текущем) (?:месяце|году)"
                      r"|(?<!\w)(?:в|во) (?:понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)(?!\w)",
                      re.IGNORECASE)),
]


def _month_number(word: str) -> int:
    word = word.lower()
    return next(n for n, stem in enumerate(_MONTHS, 1) if word.startswith(stem))


def _nearest_year(today: date, month: int, day: int = 15) -> int:
    """A date written without a year is the one nearest to the answer's moment («до 15 января» written
    on 20 December is next January; «28 ноября» written on 1 December is the past one)."""
    candidates = [today.year - 1, today.year, today.year + 1]
    return min(candidates, key=lambda y: abs((date(y, month, min(day, 28)) - today).days))


def _when(start: date, end: date, today: date) -> str:
    if end < today:
        return _PAST
    if start > today:
        return _FUTURE
    return _NOW


def _month_span(year: int, first: int, last: int) -> tuple[date, date]:
    return date(year, first, 1), date(year, last, calendar.monthrange(year, last)[1])


def date_mentions(text: str, *, today: date) -> list[str]:
    """Every date or period the text names, as «past», «future» or «now» relative to `today`."""
    text = _LAW_DATE.sub(" ", text)
    found: list[str] = []

    def take(pattern: re.Pattern, read) -> None:
        nonlocal text
        for match in list(pattern.finditer(text)):
            span = read(match)
            if span is not None:
                found.append(_when(*span, today))
                # blanked so that a wider reading does not count the same words again
                text = text[:match.start()] + " " * (match.end() - match.start()) + text[match.end():]

    def exact(year: int | None, month: int, day: int) -> tuple[date, date] | None:
        if not 1 <= month <= 12 or not 1 <= day <= 31:
            return None
        year = year if year is not None else _nearest_year(today, month, day)
        try:
            moment = date(year, month, day)
        except ValueError:
            return None
        return moment, moment

    def numeric(match):
        year = int(match["year"])
        return exact(year + 2000 if year < 100 else year, int(match["mon"]), int(match["day"]))

    def month_year(match):
        month = _month_number(match["month"])
        year = int(match["year"]) if match["year"] else _nearest_year(today, month)
        return _month_span(year, month, month)

    def quarter(match):
        key = match["q"].lower()
        number = _ROMAN.get(key) or next(n for stem, n in _ORDINAL.items() if key.startswith(stem))
        months = 6 if match["unit"].lower().startswith("полугоди") else 3
        if months == 6 and number > 2:
            return None
        first = (number - 1) * months + 1
        year = int(match["year"]) if match["year"] else _nearest_year(today, first + months // 2)
        return _month_span(year, first, first + months - 1)

    def season(match):
        word = match["season"].lower()
        first, last = next(months for stem, months in _SEASONS.items() if word.startswith(stem))
        year = int(match["year"]) if match["year"] else _nearest_year(today, first + (last - first) // 2)
        return _month_span(year, first, last)

    def year_only(match):
        year = int(match["year"])
        return date(year, 1, 1), date(year, 12, 31)

    take(_NUMERIC, numeric)
    take(_DAY_MONTH, lambda m: exact(int(m["year"]) if m["year"] else None, _month_number(m["month"]), int(m["day"])))
    take(_NUMERIC_SHORT, lambda m: exact(None, int(m["mon"]), int(m["day"])))
    take(_QUARTER, quarter)
    take(_MONTH_YEAR, month_year)
    take(_SEASON, season)
    take(_YEAR_ONLY, year_only)
    for when, pattern in _RELATIVE:
        found += [when] * len(pattern.findall(text))
    return found


# --- actions -----------------------------------------------------------------------------------------------

_ACTION_STEMS = (
    "выполн", "устран", "замен", "отремонтир", "ремонтир", "вывез", "установ", "очищ", "очист", "восстанов",
    "подключ", "засып", "засыпл", "подсып", "подсыпл", "произвед", "производ", "организова", "организу", "назнач",
    "выда", "перечисл", "убра", "убер", "покош", "скош", "скос", "спил", "демонтир", "нанес", "запущ", "запуст",
    "обследова", "обследу", "отлов", "включ", "возобнов", "согласова", "согласу", "выех", "выед", "провед",
    "провод", "предоставл", "предостав", "измен", "поступ", "достигнут", "введ", "выдел", "составл", "исключ",
    "заключ", "приобрет", "приобре", "закуп", "доставл", "достав", "постро", "благоустро", "высаж", "высад",
    "обреза", "обреж", "оборудова", "переоборудова", "скорректир", "отмен", "верн", "начисл", "уложен", "улож",
    "залит", "зальют", "асфальтир", "заасфальтир", "настро", "прочищ", "прочист", "откач", "осуш", "промы",
    "отрегулир", "заверш", "начат", "начн", "приступ", "ликвидир", "смонтир", "монтир", "покраш", "покрас",
    "окраш", "окрас", "закрыт", "открыт", "снят", "сня", "отключ", "перенастро", "переложен", "уплотн",
    "обустро", "вырубл", "выруб", "отсып", "засеян", "обработа", "обрабат", "дезинфицир", "продезинфицир",
    "пересмотр", "аннулир", "перерассчита", "оформ", "оплач", "оплат", "выплач", "выплат", "пересел", "сдела",
    "восполн", "объявл", "привлеч", "провер", "созда", "обеспеч", "завез", "привез", "изда", "размещ",
    "опубликова", "уведомл", "сформир", "примен", "обслуж", "отстран", "расчищ", "расчист", "подготовл",
    "подготов", "утвержд", "утвер", "закрепл", "вставл", "застекл", "утепл", "почин", "налаж", "налад",
)
# Stems that are already a participle: «залит», «снята», «начаты», «достигнута».
_PARTICIPLE_STEMS = ("достигнут", "уложен", "залит", "начат", "закрыт", "открыт", "снят", "переложен", "засеян")
_ACTION_WORD = re.compile(r"(?<![\w-])(?:(?P<neg>не)\s+)?(?P<word>(?:" + "|".join(_ACTION_STEMS) + r")[а-яё]*)",
                          re.IGNORECASE)
_WORD = re.compile(r"[а-яё]+", re.IGNORECASE)
# Endings after the stem: what is done (past tense, a passive participle, a perfective gerund) and what is
# planned (a present or future finite form); the rest (a noun — «замена», «ремонт», an infinitive) is
# neither by itself.
_DONE_ENDING = re.compile(r"(?:ов|ев|ыв|ив)?[аеёиоуыяю]?(?:л|ла|ло|ли|лся|лась|лось|лись)"
                          r"|(?:ов|л|ев)?[аеёия]?нн?(?:а|о|ы|ый|ая|ое|ые|ых|ым|ой|ого|ую)?"
                          r"|[уыияа]?т(?:а|о|ы)?|[аеи]?в(?:ши)?", re.IGNORECASE)
_PLAN_ENDING = re.compile(r"(?:ов|ыв|ив)?(?:ем|ём|им|ет|ёт|ит|ут|ют|ат|ят|ете|ите|ует|уют|уем)"
                          r"|[аяеиуо]?(?:ется|ются|ится|ятся|утся|атся|уется|уются)", re.IGNORECASE)
# Words that make the action after them a plan: «будет заменён», «планируется выполнить», «поручено устранить».
_PLAN_AUX = re.compile(r"будет|будут|будем|буду|планиру\w*|запланирован\w*|предстоит|поручено|предписано"
                       r"|обязу\w+|намерен\w*|решено|предусмотрен\w*", re.IGNORECASE)
_PLAN_WORD = re.compile(r"(?<!\w)(?:запланир\w+|планиру\w+|намечен\w*|предусмотрен\w*\s+(?:на|в|до)\s"
                        r"|включ\w*\s+в\s+(?:план|программ|перечень|график|адресн|титул))", re.IGNORECASE)
# «Установлено, что …» reports a finding of a check, not a thing done for the citizen; «обращение поступило»
# is the appeal's own arrival.
_NOT_ACTION = re.compile(r"(?<!\w)(?:установлено|выявлено|определено),?\s+что|обращени\w*\s+(?:\w+\s+){0,2}"
                         r"поступ\w*|в установленн\w+ (?:срок|порядке)", re.IGNORECASE)


@dataclass(frozen=True)
class Actions:
    """Whether an answer names an action as already done and/or as planned."""

    done: bool
    planned: bool


def action_forms(text: str) -> Actions:
    """The actions the text names, by the form of their verbs (formal phrases and negations do not count)."""
    text = _NOT_ACTION.sub(" ", _FORMAL.sub(" ", text))
    planned = bool(_PLAN_WORD.search(text))
    done = False
    for match in _ACTION_WORD.finditer(text):
        if match["neg"]:
            continue  # «не выполнены» is the opposite of a report
        word = match["word"].lower().replace("ё", "е")
        stem = max((s for s in _ACTION_STEMS if word.startswith(s)), key=len)
        rest = word[len(stem):]
        before = _WORD.findall(text[max(0, match.start() - 60):match.start()])[-3:]
        if any(_PLAN_AUX.fullmatch(w) for w in before) or _PLAN_ENDING.fullmatch(rest):
            planned = True
        elif _DONE_ENDING.fullmatch(rest) or (stem in _PARTICIPLE_STEMS and rest in ("", "а", "о", "ы")):
            done = True
    return Actions(done=done, planned=planned)


# --- the check ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """The flags of an answer (stable order, FLAG_LABELS) and what to add, in plain Russian."""

    flags: list[str]
    hints: list[str]


def answer_check(*, text: str, is_interim: bool = False, evidence_required: bool = False,
                 has_evidence: bool = False, at: datetime | None = None) -> Check:
    """Flags of a formal reply and the hints that would remove them; no flags for an answer on the merits.

    A final answer must say what was (or will be) done and when, the tense agreeing with the date seen
    from the answer's moment `at`; legal references need words of explanation around them; a subtopic that
    requires evidence needs a photo or an act attached (`has_evidence`: a real attachment). Interim answers
    are only checked for being template-only.
    """
    today = timezone.localtime(at or timezone.now()).date()
    actions = action_forms(text)
    acting = actions.done or actions.planned
    formal = bool(_FORMAL.search(text))
    flags: list[str] = []
    hints: list[str] = []
    if formal and not acting:
        flags.append(TEMPLATE_ONLY)
        hints.append(HINT_TEMPLATE)
    if is_interim:
        return Check(flags, hints)
    when = set(date_mentions(text, today=today))
    future = bool(when & {_FUTURE, _NOW})
    past = bool(when & {_PAST, _NOW})
    if not ((future and actions.planned) or (past and actions.done)):
        flags.append(NO_DATE_OR_ACTION)
        if not when:
            hints.append(HINT_DATE)
        if not acting:
            hints.append(HINT_ACTION)
        elif when and future and not past:
            hints.append(HINT_FUTURE_DONE)
        elif when and past and not future:
            hints.append(HINT_PAST_PLAN)
    if _LEGAL.search(text) and len(_LEGAL.sub("", text).split()) < 25 and not acting:
        flags.append(LEGAL_WITHOUT_EXPLANATION)
        hints.append(HINT_LEGAL)
    if evidence_required and not has_evidence and not _EVIDENCE.search(text):
        flags.append(NO_EVIDENCE)
        hints.append(HINT_EVIDENCE)
    return Check(flags, hints)


def answer_flags(*, text: str, is_interim: bool = False, evidence_required: bool = False,
                 has_evidence: bool = False, at: datetime | None = None) -> list[str]:
    """The flags of `answer_check`, stored on the Answer and shown to the operator who reviews it."""
    return answer_check(text=text, is_interim=is_interim, evidence_required=evidence_required,
                        has_evidence=has_evidence, at=at).flags

