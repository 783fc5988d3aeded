from appeals.management.commands._emulate import EmulateCommand


class Command(EmulateCommand):
    help = "A local emulator of «Инцидент Менеджмент» (docs/integrations.md) with injectable faults."
    kind = "im"
    default_port = 8102
    title = "Эмулятор «Инцидент Менеджмент»"
