from appeals.management.commands._emulate import EmulateCommand


class Command(EmulateCommand):
    help = "A local emulator of ПОС «Решаем вместе» (docs/integrations.md) with injectable faults."
    kind = "pos"
    default_port = 8101
    title = "Эмулятор ПОС"
