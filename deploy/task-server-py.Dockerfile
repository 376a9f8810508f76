# task-server-py, the Python agent (src/TaskServerPy/agent.py on Debian's python3-pika). Build from the repository root:
#   docker build -f deploy/task-server-py.Dockerfile -t cerebro-task-server-py .
# Configuration is the environment, as with scripts/run-local.sh: ConnectionStrings__RabbitMq (amqp URI, vhost
# included) and the CEREBRO_* settings in src/TaskServerPy/README.md.

FROM debian:12-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 python3-pika \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --no-create-home --uid 10001 agent
WORKDIR /app
COPY src/TaskServerPy/agent.py ./
ENV PYTHONUNBUFFERED=1
USER agent
ENTRYPOINT ["/usr/bin/python3", "agent.py"]
