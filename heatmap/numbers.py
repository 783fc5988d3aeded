"""The heat map's numbers in Russian, for its pages and charts alike: a decimal comma, a narrow no-break space in
thousands, a true minus sign, «—» for nothing."""


def figure(value, unit: str = "") -> str:
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        text = f"{value:,.2f}".rstrip("0").rstrip(".")
    else:
        text = f"{int(value):,}"
    text = text.replace(",", "\u202f").replace(".", ",")
    return f"{text} {unit}" if unit in ("%", "дн.", "ч") and unit else text


def signed(value) -> str:
    """«+12,5 %», «−3,0 %», «±0,0 %»: a change against the previous period."""
    if value is None:
        return "—"
    sign = "+" if value > 0 else "−" if value < 0 else "±"
    return f"{sign}{abs(value):.1f} %".replace(".", ",")
