"""Answer quality: flags for a formal reply («отписка») that the ЦУР/МЦУ operator sees before
accepting an answer or returning it for rework. A plain function over the text; the lexicon is our own.
"""

from __future__ import annotations

import re

TEMPLATE_ONLY = "template_only"
NO_DATE_OR_ACTION = "no_date_or_action"
LEGAL_WITHOUT_EXPLANATION = "legal_without_explanation"
NO_EVIDENCE = "no_evidence"

FLAG_LABELS = {
    TEMPLATE_ONLY: "шаблонный ответ без сути",
    NO_DATE_OR_ACTION: "нет конкретного действия или срока",
    LEGAL_WITHOUT_EXPLANATION: "ссылки на нормы без разъяснения",
    NO_EVIDENCE: "нет фотоотчёта или акта, хотя подтема их требует",
}

_FORMAL = re.compile(
    r"на контроле|будет рассмотрен|при формировании бюджета|в установленном порядке|в рамках (своей )?компетенции"
    r"|по мере (поступления )?финансирования|принят[аоы]? к сведению|проведена работа|даны поручения"
    r"|направлен запрос|рассмотрено в соответствии|вопрос (изучается|прорабатывается)|будут приняты меры"
    r"|по возможности|в плановом порядке",
    re.IGNORECASE,
)
_LEGAL = re.compile(
    r"федеральн\w* закон\w*|№\s?\d+-ФЗ|\b\d+-ФЗ\b|\bстать[яиеё]\w*\s+\d+|\bст\.\s?\d+"
    r"|постановлени\w+\s+(правительства|администрации)|кодекс\w*",
    re.IGNORECASE,
)
_DATE = re.compile(
    r"\b\d{1,2}\.\d{1,2}(\.\d{2,4})?\b|\b\d{1,2}\s+(января|февраля|марта|апреля|мая|июня|июля|августа|сентября"
    r"|октября|ноября|декабря)|\bв течение\s+\d+|\bдо конца (недели|месяца)|\bв срок до\b|\bсегодня\b|\bзавтра\b",
    re.IGNORECASE,
)
_ACTION = re.compile(
    r"\b(выполн|устран|замен|отремонтир|ремонт|вывез|установ|очищ|восстанов|подключ|засып|произвед|организова"
    r"|назнач|выда|перечисл|убра|покош|спил|демонтир|нанес|запущ|обследова|отлов|включ|возобнов|согласова"
    r"|выехал|выедет|запланир|провед|предоставл|измен|принят|поступил|перерасч|достигнут|введ|выдел|составл"
    r"|исключ|заключ|приобрет|закуп|доставл|постро|благоустро|высаж|обреза|оборудова|скорректир|отмен|вернул"
    r"|начислен|уложен|залит|асфальтир|настро)\w*",
    re.IGNORECASE,
)
_EVIDENCE = re.compile(r"фото|акт\w*\s+(выполненных работ|обследования|осмотра)|прилага", re.IGNORECASE)


def answer_flags(*, text: str, is_interim: bool = False, evidence_required: bool = False,
                 has_evidence: bool = False) -> list[str]:
    """Flags of a formal reply, in a stable order; [] for an answer on the merits.

    A final answer must say what was (or will be) done and when; legal references need words of
    explanation around them; a subtopic that requires evidence needs a photo or an act attached.
    Interim answers are only checked for being template-only.
    """
    # Formal phrases («проведена работа», «принято к сведению») are not actions, whatever their verbs.
    has_action = bool(_ACTION.search(_FORMAL.sub(" ", text)))
    has_date = bool(_DATE.search(text))
    formal = bool(_FORMAL.search(text))
    flags = []
    if formal and not has_action:
        flags.append(TEMPLATE_ONLY)
    if is_interim:
        return flags
    if not (has_action and has_date):
        flags.append(NO_DATE_OR_ACTION)
    legal = _LEGAL.findall(text)
    if legal and len(_LEGAL.sub("", text).split()) < 25 and not has_action:
        flags.append(LEGAL_WITHOUT_EXPLANATION)
    if evidence_required and not has_evidence and not _EVIDENCE.search(text):
        flags.append(NO_EVIDENCE)
    return flags
