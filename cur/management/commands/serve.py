"""`make run`: the whole platform in the foreground until Ctrl-C."""

import os
import signal
import subprocess
import sys
import time
import urllib.request

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from cur.accounts import administrator_ensure
from cur.demo import DEMO_ACCOUNTS, DEMO_TOKEN_FILE, demo_api_token_ensure


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def demo_mode(*, asked: bool | None, environ) -> bool:
    """`make run` is the demo: on unless `--no-demo` or CUR_DEMO=0 says otherwise. Written back into
    `environ`, so the web server, the worker and beat started from it run in the same mode (the settings'
    default stays off, so production never lists the demo accounts)."""
    demo = asked if asked is not None else environ.get("CUR_DEMO", "1").lower() in {"1", "true", "yes", "on"}
    environ["CUR_DEMO"] = "1" if demo else "0"
    return demo


class Command(BaseCommand):
    help = "Migrate, load reference and demo data once, run web + Celery worker + Celery beat until Ctrl-C."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--demo-appeals", type=int, default=int(os.environ.get("CUR_DEMO_APPEALS", "100000")))
        parser.add_argument("--no-emulators", dest="emulators", action="store_false",
                            help="do not start the local emulators of ПОС and «Инцидент Менеджмент»")
        parser.add_argument("--no-demo", dest="demo", action="store_false", default=None,
                            help="no demo data and no demo accounts on the login page (also CUR_DEMO=0)")

    def handle(self, *args, host: str, port: int, demo_appeals: int, demo: bool | None, **options):
        demo = demo_mode(asked=demo, environ=os.environ)
        call_command("migrate", interactive=False, verbosity=0)
        # created here rather than in bootstrap, so the banner can show its password on this first run
        admin_password = administrator_ensure()
        call_command("bootstrap", demo_appeals=demo_appeals, demo=demo, stdout=self.stdout)
        if demo:
            demo_api_token_ensure()  # the database `make run` serves, never a bench's or a test's
        python = sys.executable
        children = {}
        # Demo intake: local emulators of ПОС and «Инцидент Менеджмент» that keep producing new items,
        # polled by the beat like the real feeds (unless real ones are configured).
        emulators = {"emulate_pos": ("CUR_POS_URL", 8101), "emulate_im": ("CUR_IM_URL", 8102)}
        for command, (variable, emulator_port) in emulators.items():
            if options["emulators"] and not os.environ.get(variable):
                os.environ[variable] = f"http://127.0.0.1:{emulator_port}"
                children[command] = [python, str(settings.BASE_DIR / "manage.py"), command,
                                     "--port", str(emulator_port), "--live", "15"]
        children |= {
            "web": [python, "-m", "gunicorn", "cur.wsgi", "--bind", f"{host}:{port}", "--workers", "2",
                    "--threads", "4", "--worker-class", "gthread", "--timeout", "120", "--log-level", "warning"],
            "worker": [python, "-m", "celery", "-A", "cur", "worker", "--concurrency", "2",
                       "--loglevel", "INFO", "--hostname", "worker@%h", "--queues", "celery"],
            # the documents (weekly notes, reports) on their own queue: a long build never holds up intake
            "documents": [python, "-m", "celery", "-A", "cur", "worker", "--concurrency", "1",
                          "--loglevel", "INFO", "--hostname", "documents@%h", "--queues", "documents"],
            "beat": [python, "-m", "celery", "-A", "cur", "beat", "--loglevel", "INFO"],
        }
        processes = {name: subprocess.Popen(cmd) for name, cmd in children.items()}
        # SIGTERM (from a supervisor) stops everything the same way as Ctrl-C; so does SIGINT sent to this
        # process alone, even when a shell started it in the background with SIGINT ignored.
        signal.signal(signal.SIGTERM, _interrupt)
        signal.signal(signal.SIGINT, _interrupt)
        try:
            self._wait_ready(f"http://{host}:{port}/healthz", processes["web"])
            self._banner(host, port, demo=demo, admin_password=admin_password)
            while all(p.poll() is None for p in processes.values()):
                time.sleep(0.5)
            failed = [name for name, p in processes.items() if p.poll() is not None]
            self.stderr.write(f"Процесс завершился: {', '.join(failed)} — останавливаю остальные.")
        except KeyboardInterrupt:
            self.stdout.write("\nОстанавливаю веб-сервер, worker, beat и эмуляторы источников…")
        finally:
            self._stop(processes)
        self.stdout.write("Остановлено. Встроенные PostgreSQL и Redis завершаются вместе с этой командой.")

    def _wait_ready(self, url: str, web: subprocess.Popen, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and web.poll() is None:
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except OSError:
                time.sleep(0.3)

    def _banner(self, host: str, port: int, *, demo: bool, admin_password: str | None) -> None:
        lines = ["", "=" * 72, f"  Платформа ЦУР работает: http://{host}:{port}/",
                 f"  Проверка состояния:    http://{host}:{port}/healthz (подробно — администратору)"]
        if demo:
            lines += ["", "  Демо-учётные записи:"]
            for account in DEMO_ACCOUNTS:
                lines.append(
                    f"    {account['username']:<26} {account['password']:<16} {account['role']} — {account['scope']}"
                )
            lines += ["", f"  REST API: http://{host}:{port}/api/docs/ (руководство — /api/guide/), токен демо-портала "
                          f"в var/{DEMO_TOKEN_FILE}"]
        if admin_password:
            lines += ["", f"  Администратор (справочники): admin  {admin_password}",
                      "  — пароль создан для этой установки и показан один раз: сохраните его."]
        else:
            lines += ["", "  Администратор (справочники): admin — пароль был показан при первом запуске",
                      "  (забыт — manage.py changepassword admin)."]
        feeds = [(label, os.environ.get(variable)) for label, variable in
                 (("ПОС", "CUR_POS_URL"), ("Инцидент Менеджмент", "CUR_IM_URL"))]
        lines += ["", "  Источники (опрос каждые 20 с): " + ", ".join(f"{label} {url}" for label, url in feeds if url)]
        lines += ["", "  Ctrl-C — остановить всё.", "=" * 72, ""]
        self.stdout.write("\n".join(lines))

    def _stop(self, processes: dict[str, subprocess.Popen]) -> None:
        for process in processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in processes.values():
            try:
                process.wait(timeout=max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
