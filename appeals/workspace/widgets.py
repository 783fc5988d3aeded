"""Widgets of the card's forms that talk to the server while the user types."""

from django import forms
from django.templatetags.static import static
from django.utils.html import format_html


class AnswerTextarea(forms.Textarea):
    """The answer's text with the anti-«отписка» hints under it (appeals/workspace/hint_views.py), asked for
    600 ms after the executor stops typing, before anything is sent.

    The hints URL is relative to the card (`/appeals/<pk>/` → `/appeals/<pk>/answer-hints/`): the form is built
    without its appeal, and the card is the only page that shows it. Only the text is posted (never the
    chosen files); static/js/answer-hints.js adds which answer it is (interim or final, from the form's
    `data-action`) and how many files are chosen, and asks again when files are chosen.
    """

    def __init__(self, attrs=None):
        super().__init__({
            "rows": 4, "data-answer-hints": "", "hx-post": "answer-hints/",
            "hx-trigger": "input changed delay:600ms, answer-files", "hx-params": "text",
            "hx-target": "next .answer-hints", "hx-swap": "innerHTML", "hx-sync": "this:replace",
        } | (attrs or {}))

    def render(self, name, value, attrs=None, renderer=None):
        field = super().render(name, value, attrs, renderer)
        return format_html('{}<div class="answer-hints" aria-live="polite"></div>'
                           '<script src="{}" defer></script>', field, static("js/answer-hints.js"))
