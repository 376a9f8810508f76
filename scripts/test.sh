#!/usr/bin/env bash
# The whole test suite: services, a Release build, the unit and integration tests, and a summary read from the
# TRX files whose last line is `N passed, N failed, N skipped`.
#
#   ./scripts/test.sh                      everything
#   ./scripts/test.sh --filter EXPRESSION  only the matching tests (dotnet test --filter syntax), in both projects
#
# Exits non-zero when a test failed, a test run crashed, or no test ran. CEREBRO_TEST_RABBITMQ,
# CEREBRO_TEST_RABBITMQ_MANAGEMENT and CEREBRO_TEST_POSTGRES, when set, reach the tests unchanged.
# Results: .artifacts/test-results/<project>/<project>.trx; process logs of integration tests: .artifacts/logs/.
set -euo pipefail

readonly PROJECTS=(tests/Cerebro.UnitTests tests/Cerebro.IntegrationTests)
readonly PYTHON=/usr/bin/python3

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
readonly RESULTS=$root/.artifacts/test-results

usage() { sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }

filter=()
while (($#)); do
  case $1 in
    --filter) (($# >= 2)) || { usage >&2; exit 2; }; filter=(--filter "$2"); shift 2 ;;
    --filter=*) filter=(--filter "${1#--filter=}"); shift ;;
    -h | --help) usage; exit 0 ;;
    *) printf 'test.sh: unknown argument %s\n\n' "$1" >&2; usage >&2; exit 2 ;;
  esac
done

# Whatever stops the run early, the last line still says how many tests ran (none).
summarized=false
trap '$summarized || echo "0 passed, 0 failed, 0 skipped"' EXIT

section() { printf '\n==> %s\n' "$*"; }

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

section "services"
if [[ $(id -u) -eq 0 ]]; then
  ./scripts/services.sh
else
  echo "not root: leaving services alone; RabbitMQ and PostgreSQL must already be reachable"
fi
for var in CEREBRO_TEST_RABBITMQ CEREBRO_TEST_RABBITMQ_MANAGEMENT CEREBRO_TEST_POSTGRES; do
  if [[ -n ${!var:-} ]]; then echo "using $var from the environment"; fi
done

section "build (Release)"
dotnet build Cerebro.sln -c Release -nologo

rm -rf "$RESULTS"
mkdir -p "$RESULTS"
# The integration tests' process logs of earlier runs (one folder per test); scripts/run-local.sh's files stay.
if [[ -d .artifacts/logs ]]; then find .artifacts/logs -mindepth 1 -maxdepth 1 -type d -exec rm -rf {} +; fi
declare -A exit_codes=()
for project in "${PROJECTS[@]}"; do
  name=$(basename "$project")
  section "test $name${filter:+ (filter: ${filter[1]})}"
  set +e
  # A hung test is killed after 10 minutes and named in the output, instead of eating CI's 90.
  dotnet test "$project" -c Release --no-build -nologo \
    --results-directory "$RESULTS/$name" \
    --logger "trx;LogFileName=$name.trx" \
    --logger "console;verbosity=normal" \
    --blame-hang-timeout 10m --blame-hang-dump-type none \
    "${filter[@]}"
  exit_codes[$name]=$?
  set -e
done

section "summary"
args=()
for project in "${PROJECTS[@]}"; do
  name=$(basename "$project")
  args+=("$name" "${exit_codes[$name]}" "$RESULTS/$name/$name.trx")
done
summarized=true
exec "$PYTHON" - "${args[@]}" <<'PY'
"""Per-project counts from the TRX files; the last line is the totals. Exit 1 on a failure, a crash or no tests."""
import os
import sys
import xml.etree.ElementTree as ET

NS = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
FAILED = {"Failed", "Error", "Timeout", "Aborted"}

totals = {"passed": 0, "failed": 0, "skipped": 0}
problems = []
argv = sys.argv[1:]
for i in range(0, len(argv), 3):
    name, exit_code, trx = argv[i], int(argv[i + 1]), argv[i + 2]
    if not os.path.exists(trx):
        # dotnet test writes no TRX when the test host never started (or it crashed before reporting).
        print(f"{name}: no results (dotnet test exited with {exit_code})")
        if exit_code != 0:
            problems.append(f"{name}: the test run crashed (exit code {exit_code}, no TRX)")
        continue
    root = ET.parse(trx).getroot()
    counts = {"passed": 0, "failed": 0, "skipped": 0}
    failed_names = []
    for result in root.iterfind("t:Results/t:UnitTestResult", NS):
        outcome = result.get("outcome", "")
        if outcome == "Passed":
            counts["passed"] += 1
        elif outcome in FAILED:
            counts["failed"] += 1
            failed_names.append(result.get("testName", "?"))
        else:  # NotExecuted (skipped), Inconclusive, ...
            counts["skipped"] += 1
    summary = root.find("t:ResultSummary", NS)
    run_outcome = summary.get("outcome", "?") if summary is not None else "?"
    print(f"{name}: {counts['passed']} passed, {counts['failed']} failed, {counts['skipped']} skipped"
          f" (run outcome {run_outcome}, exit code {exit_code})")
    for failed in failed_names:
        print(f"  failed: {failed}")
    for key in totals:
        totals[key] += counts[key]
    # What the run itself reported: a crashed or hung test host, and with --blame the tests it was running.
    for info in root.iterfind("t:ResultSummary/t:RunInfos/t:RunInfo", NS):
        if info.get("outcome") in ("Error", "Failed"):
            text = (info.findtext("t:Text", "", NS) or "").strip().splitlines()
            print(f"  run error: {' | '.join(line.strip() for line in text[:3])}")
    if exit_code != 0 and counts["failed"] == 0:
        problems.append(f"{name}: the test run crashed or was aborted (exit code {exit_code}, outcome {run_outcome}, no failed test)")

if totals["failed"]:
    problems.append(f"{totals['failed']} test(s) failed")
if totals["passed"] + totals["failed"] == 0:
    problems.append("no test ran")
for problem in problems:
    print(f"FAILED: {problem}")
print(f"{totals['passed']} passed, {totals['failed']} failed, {totals['skipped']} skipped")
sys.exit(1 if problems else 0)
PY
