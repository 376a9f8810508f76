#!/usr/bin/python3
"""task-server-py: a Cerebro agent in Python, written from protocol/README.md alone.

Run with Debian's interpreter, which has pika 1.2:  /usr/bin/python3 src/TaskServerPy/agent.py
Settings come from the environment; see README.md beside this file.
"""

import json
import logging
import os
import queue
import re
import signal
import sys
import threading
import time
import uuid
from collections import OrderedDict, deque
from dataclasses import dataclass, field
from datetime import datetime, timezone

import pika
from pika.exceptions import AMQPError, ChannelClosedByBroker

AGENT_VERSION = "1.0.0"
OWNER = "team-py"
PROTOCOL_VERSION = 1
EVENTS_EXCHANGE = "cerebro.events"
AGENT_NAME_RULE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
VERDICT_WAIT_SECONDS = 30
REMEMBERED_RUNS = 10_000
RESULT_LIMIT_BYTES = 64 * 1024

TASKS = [
    {
        "name": "score-customers",
        "owner": OWNER,
        "description": "Scores every customer extracted by extract-customers.",
        "upstreams": [{"task": "extract-customers"}],
    },
    {
        "name": "export-scores",
        "owner": OWNER,
        "description": "Exports the customer scores.",
        "upstreams": [{"task": "score-customers"}],
    },
]

log = logging.getLogger("task-server-py")


# ---------------------------------------------------------------------------------------------------------------
# Settings


@dataclass(frozen=True)
class Settings:
    amqp_url: str
    agent: str
    max_concurrency: int
    heartbeat_seconds: float
    default_duration_ms: float
    drain_seconds: float
    prefetch: int

    @property
    def queue(self):
        return f"cerebro.agent.{self.agent}"

    @staticmethod
    def from_environment(env=os.environ):
        agent = env.get("CEREBRO_AGENT_NAME", "task-server-py")
        if not AGENT_NAME_RULE.match(agent):
            raise ValueError(f"CEREBRO_AGENT_NAME '{agent}' breaks the rule {AGENT_NAME_RULE.pattern}")
        max_concurrency = _number(env, "CEREBRO_MAX_CONCURRENCY", 2, int, minimum=1)
        return Settings(
            amqp_url=env.get("ConnectionStrings__RabbitMq", "amqp://guest:guest@127.0.0.1:5672/%2F"),
            agent=agent,
            max_concurrency=max_concurrency,
            heartbeat_seconds=_number(env, "CEREBRO_HEARTBEAT_SECONDS", 5, float, minimum=0.1),
            default_duration_ms=_number(env, "CEREBRO_TASK_DURATION_MS", 100, float, minimum=0),
            drain_seconds=_number(env, "CEREBRO_DRAIN_SECONDS", 30, float, minimum=0),
            # Invokes waiting for a slot stay unacknowledged, so the prefetch is how many the agent can hold
            # (and answer with task.queued); anything beyond waits in the broker and runs into the ack timeout.
            prefetch=_number(env, "CEREBRO_PREFETCH", max(64, 4 * max_concurrency), int, minimum=1),
        )


def _number(env, name, default, kind, minimum):
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise ValueError(f"{name}='{raw}' is not a {kind.__name__}") from None
    if value < minimum:
        raise ValueError(f"{name}={raw} is below {minimum}")
    return value


# ---------------------------------------------------------------------------------------------------------------
# The tasks: every one works for durationMs and fails when the run parameter 'fail' names it.


class TaskFailure(Exception):
    def __init__(self, message, error_type):
        super().__init__(message)
        self.error_type = error_type


def run_task(task, parameters, default_duration_ms):
    duration_ms = parameters.get("durationMs", default_duration_ms)
    if isinstance(duration_ms, bool) or not isinstance(duration_ms, (int, float)) or duration_ms < 0:
        raise TaskFailure(f"{task}: run parameter 'durationMs' must be a number of milliseconds >= 0, "
                          f"not {json.dumps(duration_ms)}", "InvalidParameters")
    fail = parameters.get("fail", [])
    if isinstance(fail, str):
        fail = [fail]
    if not isinstance(fail, list):
        raise TaskFailure(f"{task}: run parameter 'fail' must be a list of task names, not {json.dumps(fail)}",
                          "InvalidParameters")

    time.sleep(duration_ms / 1000)  # the simulated work

    if task in fail:
        raise TaskFailure(f"{task} failed: the run parameter 'fail' lists it", "RequestedFailure")
    if task == "score-customers":
        return {"customersScored": 1250, "durationMs": duration_ms}
    return {"exported": 1250, "file": "scores.csv", "durationMs": duration_ms}


# ---------------------------------------------------------------------------------------------------------------
# The agent


@dataclass
class TaskRun:
    """One (taskRunId, attempt) this process has seen. Touched on the connection thread only."""

    task_run_id: str
    run_id: str
    task: str
    attempt: int
    parameters: dict
    trace: dict
    state: str = "new"  # new, queued, started, completed, failed
    last_event: tuple = field(default=None)  # (type, body) last published for it, re-sent on a duplicate invoke

    @property
    def key(self):
        return self.task_run_id.lower(), self.attempt

    def describe(self):
        return f"{self.task} taskRun={self.task_run_id} run={self.run_id} attempt={self.attempt}"


class ProtocolError(Exception):
    pass


def _now():
    return datetime.now(timezone.utc).isoformat(timespec="microseconds")


def _header(headers, name):
    value = (headers or {}).get(name)
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


class Agent:
    def __init__(self, settings):
        self.settings = settings
        self.instance = str(uuid.uuid4())
        self.task_names = {task["name"] for task in TASKS}

        self.connection = None
        self.channel = None
        self.consumer_tag = None

        # Connection-thread state.
        self.runs = OrderedDict()  # (taskRunId, attempt) -> TaskRun
        self.waiting = deque()  # (TaskRun, delivery tag): accepted, task.queued sent, waiting for a slot
        self.running = 0
        self.unpublished = deque()  # (TaskRun, type, body) finished work whose event is not yet confirmed
        self.verdict_received = False
        self.ready_sent_at = 0.0
        self.next_heartbeat = 0.0
        self.stop_requested = None  # the signal's name, set by the signal handler
        self.drain_deadline = None  # set once stopping began

        # Shared with the worker threads, which never touch pika: they hand results over through this queue.
        self.jobs = queue.Queue()
        self.outcomes = queue.Queue()
        self.workers = [threading.Thread(target=self._work, name=f"worker-{i + 1}", daemon=True)
                        for i in range(settings.max_concurrency)]

    # --- process -----------------------------------------------------------------------------------------------

    def run(self):
        for worker in self.workers:
            worker.start()
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        log.info("starting agent=%s instance=%s maxConcurrency=%d prefetch=%d tasks=%s",
                 self.settings.agent, self.instance, self.settings.max_concurrency, self.settings.prefetch,
                 ",".join(sorted(self.task_names)))
        backoff = 1.0
        while True:
            try:
                self._connect()
                backoff = 1.0
                if self._serve():
                    return 0
            except ChannelClosedByBroker as error:
                if error.reply_code in (403, 406):
                    log.error("broker refused the topology (%s %s): fix the declaration, not retrying",
                              error.reply_code, error.reply_text)
                    self._close()
                    return 1
                self._disconnected(error)
            except (AMQPError, OSError) as error:
                self._disconnected(error)
            if self.stop_requested:
                log.warning("stopping without a broker connection: %d running task(s) and %d result(s) unreported",
                            self.running, len(self.unpublished) + self.outcomes.qsize())
                return 1
            log.info("reconnecting in %.0f s", backoff)
            self._sleep(backoff)
            backoff = min(backoff * 2, 30.0)

    def _on_signal(self, signum, _frame):
        self.stop_requested = self.stop_requested or signal.Signals(signum).name

    def _sleep(self, seconds):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and not self.stop_requested:
            time.sleep(0.1)

    # --- connection ----------------------------------------------------------------------------------------------

    def _connect(self):
        parameters = pika.URLParameters(self.settings.amqp_url)
        parameters.client_properties = {"connection_name": f"{self.settings.agent} {self.instance}"}
        self.connection = pika.BlockingConnection(parameters)
        self.channel = self.connection.channel()
        self.channel.confirm_delivery()
        self.channel.exchange_declare(EVENTS_EXCHANGE, exchange_type="topic", durable=True, auto_delete=False,
                                      internal=False, arguments=None)
        self.channel.queue_declare(self.settings.queue, durable=True, exclusive=False, auto_delete=False,
                                   arguments=None)
        self.channel.basic_qos(prefetch_count=self.settings.prefetch)
        # Invokes that waited for a slot on a lost channel come back from the broker: treat those copies as new.
        for run, _tag in self.waiting:
            if run.state == "queued":
                self.runs.pop(run.key, None)
        self.waiting.clear()
        self.consumer_tag = self.channel.basic_consume(self.settings.queue, self._on_message, auto_ack=False)
        log.info("connected: declared %s and %s, consuming", EVENTS_EXCHANGE, self.settings.queue)
        self._publish_unpublished()
        self._publish_ready()
        self.next_heartbeat = time.monotonic() + self.settings.heartbeat_seconds

    def _disconnected(self, error):
        log.warning("connection lost: %s: %s", type(error).__name__, error)
        self._close()

    def _close(self):
        try:
            if self.connection is not None and self.connection.is_open:
                self.connection.close()
        except Exception:  # noqa: BLE001 - the connection is already broken; closing is best effort
            pass
        self.connection = self.channel = self.consumer_tag = None

    def _serve(self):
        """Runs the connection until the agent has stopped (True) or the connection breaks (raises)."""
        while True:
            self.connection.process_data_events(time_limit=0.2)
            self._publish_outcomes()
            now = time.monotonic()
            if self.stop_requested and self.drain_deadline is None:
                self._begin_stop()
            if self.drain_deadline is not None:
                if self.running == 0 and not self.unpublished:
                    self._finish("drained")
                    return True
                if now >= self.drain_deadline:
                    self._abandon_running()
                    self._finish("drain timeout")
                    return True
            if now >= self.next_heartbeat and self.drain_deadline is None:
                self._publish("server.heartbeat", {
                    "agent": self.settings.agent, "instance": self.instance, "running": self.running,
                    "queued": len(self.waiting), "sentAt": _now()},
                    note=f" running={self.running} queued={len(self.waiting)}")
                self.next_heartbeat = now + self.settings.heartbeat_seconds
            if not self.verdict_received and self.drain_deadline is None \
                    and now - self.ready_sent_at >= VERDICT_WAIT_SECONDS:
                log.warning("no declaration verdict within %d s; sending server.ready again", VERDICT_WAIT_SECONDS)
                self._publish_ready()

    # --- publishing (connection thread only: pika is not thread-safe) ---------------------------------------------

    def _publish(self, message_type, body, trace=None, note=""):
        headers = {"cerebro-type": message_type, "cerebro-sender": self.settings.agent,
                   "cerebro-protocol": PROTOCOL_VERSION}
        headers.update(trace or {})
        properties = pika.BasicProperties(content_type="application/json", message_id=str(uuid.uuid4()),
                                          delivery_mode=2, headers=headers)
        # With publisher confirms on, this returns once the broker has the message and raises otherwise.
        self.channel.basic_publish(EVENTS_EXCHANGE, f"{self.settings.agent}.{message_type}",
                                   json.dumps(body, separators=(",", ":")).encode("utf-8"), properties)
        log.info("sent %s%s", message_type, note)

    def _publish_ready(self):
        self.verdict_received = False
        self._publish("server.ready", {
            "agent": self.settings.agent, "instance": self.instance, "version": AGENT_VERSION,
            "maxConcurrency": self.settings.max_concurrency, "tasks": TASKS, "sentAt": _now()},
            note=f" instance={self.instance} tasks={len(TASKS)}")
        self.ready_sent_at = time.monotonic()

    def _publish_task_event(self, run, message_type, **extra):
        body = {"taskRunId": run.task_run_id, "runId": run.run_id, "task": run.task, "attempt": run.attempt,
                "agent": self.settings.agent, "at": _now(), **extra}
        self._publish(message_type, body, run.trace, note=f" {run.describe()}" + _summary(extra))
        run.last_event = (message_type, body)

    # --- messages from Cerebro ------------------------------------------------------------------------------------

    def _on_message(self, channel, method, properties, body):
        headers = properties.headers or {}
        message_type = _header(headers, "cerebro-type")
        version = _header(headers, "cerebro-protocol")
        if isinstance(version, str) and version.strip().isdigit():
            version = int(version)
        try:
            if version != PROTOCOL_VERSION:
                raise ProtocolError(f"cerebro-protocol {version!r} is not spoken here (this agent speaks "
                                    f"{PROTOCOL_VERSION})")
            if self.drain_deadline is not None:
                channel.basic_nack(method.delivery_tag, requeue=True)
                log.info("returned %s to the queue: stopping", message_type)
                return
            try:
                document = json.loads(body.decode("utf-8-sig"))
            except ValueError as error:
                raise ProtocolError(f"body is not JSON: {error}") from None
            if not isinstance(document, dict):
                raise ProtocolError("body is not a JSON object")
        except ProtocolError as error:
            log.error("rejected %s message_id=%s: %s", message_type, properties.message_id, error)
            channel.basic_reject(method.delivery_tag, requeue=False)
            return

        if message_type == "task.invoke":
            self._on_invoke(method, headers, document)
        elif message_type in ("declaration.accepted", "declaration.rejected"):
            self._on_verdict(message_type, document)
            channel.basic_ack(method.delivery_tag)
        else:
            log.warning("ignored message of unknown type %r", message_type)
            channel.basic_ack(method.delivery_tag)

    def _on_verdict(self, message_type, verdict):
        instance = str(verdict.get("instance", ""))
        if instance.lower() != self.instance:
            log.info("ignored %s for instance %s, not this process (%s)", message_type, instance, self.instance)
            return
        self.verdict_received = True
        unresolved = "; ".join(f"{p.get('task')}: {p.get('reason')}" for p in verdict.get("unresolved") or [])
        if message_type == "declaration.accepted":
            log.info("declaration accepted: %s%s", ", ".join(verdict.get("accepted") or []),
                     f"; unresolved: {unresolved}" if unresolved else "")
        else:
            refused = "; ".join(f"{p.get('task')}: {p.get('reason')}" for p in verdict.get("refused") or [])
            log.warning("declaration rejected: %s; refused: %s; accepted: %s%s", verdict.get("reason"), refused,
                        ", ".join(verdict.get("accepted") or []), f"; unresolved: {unresolved}" if unresolved else "")

    def _on_invoke(self, method, headers, invoke):
        tag = method.delivery_tag
        try:
            run = _read_invoke(invoke, headers)
        except ProtocolError as error:
            log.error("rejected task.invoke: %s", error)
            self.channel.basic_reject(tag, requeue=False)
            return

        known = self.runs.get(run.key)
        if known is not None and known.state != "new":
            log.info("duplicate task.invoke %s (state %s, redelivered=%s)", run.describe(), known.state,
                     method.redelivered)
            if known.last_event is not None:
                message_type, body = known.last_event
                self._publish(message_type, body, known.trace, note=f" (again) {known.describe()}")
            self.channel.basic_ack(tag)
            return

        self._remember(run)
        log.info("received task.invoke %s redelivered=%s", run.describe(), method.redelivered)
        # Each step changes local state only after its event is confirmed, so a connection lost halfway leaves the
        # run "new" and its redelivered copy is handled afresh rather than taken for a duplicate.
        if run.task not in self.task_names:
            self._publish_task_event(run, "task.failed",
                                     error=f"task '{run.task}' is not declared by agent '{self.settings.agent}'",
                                     errorType="UnknownTask")
            run.state = "failed"
            self.channel.basic_ack(tag)
        elif self.running < self.settings.max_concurrency:
            self._start(run, tag)
        else:
            self._publish_task_event(run, "task.queued")
            run.state = "queued"
            self.waiting.append((run, tag))

    def _remember(self, run):
        self.runs[run.key] = run
        while len(self.runs) > REMEMBERED_RUNS:
            self.runs.popitem(last=False)

    def _start(self, run, tag):
        self._publish_task_event(run, "task.started")
        run.state = "started"
        self.running += 1
        self.jobs.put(run)
        # Acked once task.started is confirmed: a crash from here on loses the run (Cerebro sees it) but never runs
        # it twice; invokes still waiting for a slot stay unacknowledged and go back to the queue.
        self.channel.basic_ack(tag)

    def _start_waiting(self):
        while self.waiting and self.running < self.settings.max_concurrency and self.drain_deadline is None:
            run, tag = self.waiting[0]
            self._start(run, tag)
            self.waiting.popleft()

    # --- worker threads -------------------------------------------------------------------------------------------

    def _work(self):
        while True:
            run = self.jobs.get()
            try:
                result = run_task(run.task, run.parameters, self.settings.default_duration_ms)
                if len(json.dumps(result)) > RESULT_LIMIT_BYTES:
                    raise TaskFailure(f"{run.task}: result larger than 64 KiB", "ResultTooLarge")
                outcome = ("task.completed", {"result": result})
            except TaskFailure as failure:
                outcome = ("task.failed", {"error": str(failure), "errorType": failure.error_type})
            except Exception as error:  # noqa: BLE001 - any failure of a task is reported, not raised
                outcome = ("task.failed", {"error": f"{run.task}: {type(error).__name__}: {error}",
                                           "errorType": type(error).__name__})
            self.outcomes.put((run, *outcome))
            connection = self.connection
            try:
                if connection is not None:
                    connection.add_callback_threadsafe(self._publish_outcomes)
            except Exception:  # noqa: BLE001 - closed connection: the loop publishes it after reconnecting
                pass

    def _publish_outcomes(self):
        while True:
            try:
                run, message_type, extra = self.outcomes.get_nowait()
            except queue.Empty:
                break
            if run.state != "started":  # already given up on (drain timeout)
                continue
            self.running -= 1
            run.state = "completed" if message_type == "task.completed" else "failed"
            self.unpublished.append((run, message_type, extra))
        self._publish_unpublished()
        self._start_waiting()

    def _publish_unpublished(self):
        while self.unpublished and self.channel is not None and self.channel.is_open:
            run, message_type, extra = self.unpublished[0]
            self._publish_task_event(run, message_type, **extra)
            self.unpublished.popleft()

    # --- stopping -------------------------------------------------------------------------------------------------

    def _begin_stop(self):
        self.drain_deadline = time.monotonic() + self.settings.drain_seconds
        self._publish("server.stopping", {"agent": self.settings.agent, "instance": self.instance,
                                          "reason": self.stop_requested, "sentAt": _now()},
                      note=f" reason={self.stop_requested} running={self.running} waiting={len(self.waiting)}")
        self.channel.basic_cancel(self.consumer_tag)  # also nacks deliveries not yet handed to _on_message
        while self.waiting:
            run, tag = self.waiting.popleft()
            self.channel.basic_nack(tag, requeue=True)
            self.runs.pop(run.key, None)
            log.info("returned task.invoke %s to the queue", run.describe())
        log.info("draining %d running task(s), at most %.0f s", self.running, self.settings.drain_seconds)

    def _abandon_running(self):
        for run in list(self.runs.values()):
            if run.state == "started":
                run.state = "failed"
                self.running -= 1
                self._publish_task_event(
                    run, "task.failed", error=f"agent stopped before the task finished (drain timeout "
                                              f"{self.settings.drain_seconds:.0f} s)", errorType="DrainTimeout")

    def _finish(self, how):
        log.info("stopped (%s)", how)
        self.connection.close()
        self.connection = self.channel = None


def _read_invoke(invoke, headers):
    missing = [name for name in ("taskRunId", "runId", "task", "attempt", "invokedAt", "ackTimeoutSeconds")
               if invoke.get(name) is None]
    if missing:
        raise ProtocolError(f"missing required field(s) {', '.join(missing)}")
    attempt = invoke["attempt"]
    if isinstance(attempt, bool) or not isinstance(attempt, int) or attempt < 1:
        raise ProtocolError(f"attempt {attempt!r} is not an integer >= 1")
    for name in ("taskRunId", "runId", "task"):
        if not isinstance(invoke[name], str):
            raise ProtocolError(f"{name} {invoke[name]!r} is not a string")
    parameters = invoke.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ProtocolError("parameters is not an object")
    trace = {name: _header(headers, name) for name in ("traceparent", "tracestate") if headers.get(name) is not None}
    return TaskRun(task_run_id=invoke["taskRunId"], run_id=invoke["runId"], task=invoke["task"], attempt=attempt,
                   parameters=parameters, trace=trace)


def _summary(extra):
    if "error" in extra:
        return f" error={extra['error']!r}"
    if extra.get("result") is not None:
        return f" result={json.dumps(extra['result'], separators=(',', ':'))}"
    return ""


def main():
    logging.basicConfig(stream=sys.stdout, level=logging.INFO,
                        format="%(asctime)s.%(msecs)03d %(levelname)s %(threadName)s %(message)s",
                        datefmt="%Y-%m-%dT%H:%M:%S")
    logging.getLogger("pika").setLevel(logging.WARNING)
    try:
        settings = Settings.from_environment()
    except ValueError as error:
        log.error("bad setting: %s", error)
        return 2
    return Agent(settings).run()


if __name__ == "__main__":
    sys.exit(main())
