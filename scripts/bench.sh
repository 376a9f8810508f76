#!/usr/bin/env bash
# The Cerebro benchmarks: services, a Release build, the end-to-end shapes against real RabbitMQ and PostgreSQL (Cerebro
# and the benchmark agent as separate processes) and the BenchmarkDotNet micro-benchmarks, then one table.
#
#   ./scripts/bench.sh                          everything (the end-to-end part stops itself after --timeout, 1 h)
#   ./scripts/bench.sh --shapes chain,fan       only these end-to-end shapes (the floors are always measured)
#   ./scripts/bench.sh --reps 3                 repetitions per figure (default 5)
#   ./scripts/bench.sh e2e                      only the end-to-end part; `micro`: only BenchmarkDotNet
#   ./scripts/bench.sh --help                   every option (tests/Cerebro.Benchmarks/README.md explains the figures)
#
# The table is printed last and written to .artifacts/bench/<time>/results.md, beside logs/ (every process) and
# micro/ (BenchmarkDotNet). The builds are copied there first, so a rebuild while it runs changes nothing.
# Exits 1 when a shape failed or timed out (the table says which), 2 on a usage error. Only 127.0.0.1 is touched.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

usage() { sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
for arg in "$@"; do
  if [[ $arg == -h || $arg == --help ]]; then
    usage
    echo
    if [[ -f tests/Cerebro.Benchmarks/bin/Release/net10.0/Cerebro.Benchmarks.dll ]]; then
      dotnet tests/Cerebro.Benchmarks/bin/Release/net10.0/Cerebro.Benchmarks.dll --help
    fi
    exit 0
  fi
done

export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
section() { printf '\n==> %s\n' "$*" >&2; }

section "services"
if [[ $(id -u) -eq 0 ]]; then
  ./scripts/services.sh >&2
else
  echo "not root: leaving services alone; RabbitMQ and PostgreSQL must already run on 127.0.0.1" >&2
fi

section "build (Release): Cerebro.Server, the benchmark agent, the harness"
dotnet build tests/Cerebro.Benchmarks -c Release -nologo -v quiet >&2

out=$root/.artifacts/bench/$(date -u +%Y%m%d-%H%M%S)
mkdir -p "$out/bin"
cp -r src/Cerebro.Server/bin/Release/net10.0 "$out/bin/server"
cp -r tests/Cerebro.BenchmarkAgent/bin/Release/net10.0 "$out/bin/agent"
cp -r tests/Cerebro.Benchmarks/bin/Release/net10.0 "$out/bin/harness"

section "benchmark (results in $out)"
# A last guard on top of the harness's own budgets (--timeout for the end-to-end part, ShortRun for BenchmarkDotNet).
exec timeout --kill-after=60 7200 dotnet "$out/bin/harness/Cerebro.Benchmarks.dll" \
  --server "$out/bin/server/Cerebro.Server.dll" --agent "$out/bin/agent/Cerebro.BenchmarkAgent.dll" --out "$out" "$@"
