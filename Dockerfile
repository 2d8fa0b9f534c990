# One image for every process of the platform; docker compose picks the command
# (python -m services.<claims|payouts|billing> <migrate|api|worker>, python -m services.sandbox,
# python -m ops.cli broker provision: the operators' warranty-ops).
# Settings come from environment variables at run time: nothing secret is baked in.

FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
# The pinned set first: this layer is rebuilt only when requirements.lock changes.
COPY requirements.lock /tmp/requirements.lock
RUN pip install --require-virtualenv -r /tmp/requirements.lock
COPY pyproject.toml /src/
COPY shared /src/shared
COPY services /src/services
COPY ops /src/ops
# The platform's API client (warranty-ops demo drives a deployed stack with it).
COPY warranty_client /src/warranty_client
# Dependencies are all in the lock already; a wheel install also carries alembic.ini and the
# migrations, so the runtime image needs no source tree.
RUN pip install --require-virtualenv --no-deps /src

FROM python:3.11-slim
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin app
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
USER 10001:10001
EXPOSE 8001 8002 8003 8009
CMD ["python", "-c", "print('usage: python -m services.<claims|payouts|billing> <migrate|api|worker> | python -m services.sandbox')"]
