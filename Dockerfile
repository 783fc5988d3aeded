# Production image: web (gunicorn), worker and beat share it; settings come from the environment.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 STATIC_COLLECTED=1 STATIC_ROOT=/app/staticfiles
WORKDIR /app
COPY pyproject.toml README.md ./
COPY cur cur
COPY appeals appeals
COPY municipalities municipalities
COPY ratings ratings
COPY heatmap heatmap
COPY structuring structuring
COPY templates templates
COPY static static
COPY manage.py .
RUN pip install --no-cache-dir . \
 && DATABASE_URL=postgresql://build@localhost/build REDIS_URL=redis://localhost SECRET_KEY=build \
    python -c "import django, os; os.environ['DJANGO_SETTINGS_MODULE']='cur.settings'; django.setup(); \
from django.core.management import call_command; call_command('collectstatic', interactive=False, verbosity=0)"
RUN useradd --system --home /app cur && chown -R cur /app
USER cur
EXPOSE 8000
CMD ["gunicorn", "cur.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--threads", "4", "--worker-class", "gthread"]
