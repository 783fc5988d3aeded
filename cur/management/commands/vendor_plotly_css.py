from django.core.management.base import BaseCommand

from cur.plotly_assets import stylesheets


class Command(BaseCommand):
    help = ("Write static/vendor/plotly.css and maplibre-gl.css from the vendored plotly.min.js: the styles it "
            "would inject inline, which the Content-Security-Policy refuses. Run after updating plotly.js.")

    def handle(self, *args, **options):
        for path, text in stylesheets().items():
            path.write_text(text, encoding="utf-8")
            self.stdout.write(f"{path.name}: {len(text)} знаков")
