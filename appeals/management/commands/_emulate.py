"""What `emulate_pos` and `emulate_im` share: options, the server in the foreground until Ctrl-C."""

import signal
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from appeals.sources.emulator import Faults, FeedEmulator, places_of_region, serve


def _stop(signum, frame):
    raise KeyboardInterrupt


class EmulateCommand(BaseCommand):
    kind = ""
    default_port = 0
    title = ""

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=self.default_port)
        parser.add_argument("--region", default=settings.CUR_REGION)
        parser.add_argument("--seed", type=int, default=5)
        parser.add_argument("--token", default="", help="require «Authorization: Bearer TOKEN»")
        parser.add_argument("--initial", type=int, default=200, help="items in the feed at start")
        parser.add_argument("--live", type=float, default=0.0, metavar="SECONDS",
                            help="add new items and updates every SECONDS (the demo of `make run`)")
        parser.add_argument("--live-add", type=int, default=3)
        for name in Faults.__dataclass_fields__:
            if name.endswith("_rate"):  # each fault declared once, in Faults
                parser.add_argument(f"--{name.replace('_', '-')}", dest=name, type=float, default=0.0,
                                    help="chance per request (per record for malformed, duplicate, out-of-order; "
                                         "per answer for lost-reply)")
        parser.add_argument("--not-satisfied-rate", type=float, default=0.2,
                            help="share of final answers the citizen rates «не удовлетворён»")
        parser.add_argument("--timeout-seconds", type=float, default=3.0)
        parser.add_argument("--retry-after", type=float, default=1.0)

    def handle(self, *args, host, port, region, seed, token, initial, live, live_add, not_satisfied_rate, **options):
        faults = Faults(**{name: options[name] for name in Faults.__dataclass_fields__})
        emulator = FeedEmulator(self.kind, places=places_of_region(region), seed=seed, token=token, faults=faults,
                                epoch=f"{int(time.time()):x}", files=True,  # the demo's photos and acts
                                not_satisfied_rate=not_satisfied_rate)
        emulator.add(initial)
        emulator.update(initial // 10)
        running = serve(emulator, host=host, port=port, live_every=live, live_add=live_add)
        self.stdout.write(f"{self.title}: {running.url} (лента {emulator.kind}, {len(emulator.items)} записей; "
                          f"{running.url}/_truth, {running.url}/_control)")
        self.stdout.flush()
        signal.signal(signal.SIGTERM, _stop)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass
        finally:
            running.stop()
