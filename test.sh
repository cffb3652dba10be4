#!/usr/bin/env bash
# CareLoop full test run: prerequisites, build, EF migration checks, a throw-away
# PostgreSQL, all test suites (TRX reports), benchmark smoke test.
#
# Last line of output is always "N passed, N failed, N skipped"; exit code is
# non-zero when anything failed.
#
# Environment knobs (all optional):
#   CARELOOP_RESULTS_DIR   where TRX files and logs go (default: TestResults/test-sh)
#   CARELOOP_TEST_TIMEOUT  per-suite MTP --timeout (default: 30m)
#   CARELOOP_SKIP_APT=1    never call apt-get
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$ROOT"

export DOTNET_NOLOGO=1
export DOTNET_CLI_TELEMETRY_OPTOUT=1
export TESTINGPLATFORM_TELEMETRY_OPTOUT=1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

RESULTS="${CARELOOP_RESULTS_DIR:-$ROOT/TestResults/test-sh}"
TEST_TIMEOUT="${CARELOOP_TEST_TIMEOUT:-30m}"
SUITES=(CareLoop.Domain.Tests CareLoop.Server.Tests CareLoop.Browser.Tests)

TOTAL_PASSED=0
TOTAL_FAILED=0
TOTAL_SKIPPED=0
SUMMARY_PRINTED=0
PG_TMP=""
PG_DATA=""
PG_BIN=""

log() { printf '%s\n' "$*"; }

print_summary() {
    SUMMARY_PRINTED=1
    printf '%d passed, %d failed, %d skipped\n' "$TOTAL_PASSED" "$TOTAL_FAILED" "$TOTAL_SKIPPED"
}

as_postgres() {
    if [[ $EUID -eq 0 ]]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

stop_postgres() {
    if [[ -n "$PG_DATA" && -f "$PG_DATA/postmaster.pid" ]]; then
        if ! as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w -t 60 stop >/dev/null 2>&1; then
            # pg_ctl could not stop it: kill our own postmaster by its pid.
            local pid
            pid="$(head -n1 "$PG_DATA/postmaster.pid" 2>/dev/null || true)"
            if [[ "$pid" =~ ^[0-9]+$ ]]; then
                kill -TERM "$pid" 2>/dev/null || true
                sleep 2
                kill -KILL "$pid" 2>/dev/null || true
            fi
        fi
    fi
    if [[ -n "$PG_TMP" && -d "$PG_TMP" ]]; then
        rm -rf "$PG_TMP"
    fi
    PG_DATA=""
    PG_TMP=""
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_postgres
    if [[ $SUMMARY_PRINTED -eq 0 ]]; then
        # Unexpected exit (error, signal): still end with the summary line.
        log "!! test.sh aborted (exit code $rc)"
        TOTAL_FAILED=$((TOTAL_FAILED + 1))
        print_summary
        [[ $rc -eq 0 ]] && rc=1
    fi
    exit "$rc"
}
trap cleanup EXIT
trap 'log "!! interrupted"; exit 130' INT
trap 'log "!! terminated"; exit 143' TERM

# Fatal error: count one failure, print the summary and stop.
die() {
    log "!! $*"
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
    stop_postgres
    print_summary
    exit 1
}

# ---------------------------------------------------------------------------
# 1. System packages (only when missing)
# ---------------------------------------------------------------------------
have_cjk_fonts() {
    dpkg -s fonts-noto-cjk >/dev/null 2>&1 && return 0
    command -v fc-list >/dev/null 2>&1 && fc-list 2>/dev/null | grep -qi "Noto Sans CJK"
}

have_initdb() {
    compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null
}

APT_PKGS=()
[[ -x /usr/bin/chromium ]] || APT_PKGS+=(chromium)
have_cjk_fonts || APT_PKGS+=(fonts-noto-cjk)
have_initdb || APT_PKGS+=(postgresql)

if [[ ${#APT_PKGS[@]} -gt 0 ]]; then
    if [[ "${CARELOOP_SKIP_APT:-0}" == 1 ]] || ! command -v apt-get >/dev/null 2>&1; then
        log "== apt: missing ${APT_PKGS[*]} (apt-get unavailable or CARELOOP_SKIP_APT=1; not installing)"
    else
        SUDO=()
        [[ $EUID -ne 0 ]] && SUDO=(sudo)
        log "== apt: installing ${APT_PKGS[*]}"
        t0=$SECONDS
        mkdir -p "$RESULTS"
        export DEBIAN_FRONTEND=noninteractive
        if ! "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 update >"$RESULTS/apt.log" 2>&1 \
            || ! "${SUDO[@]}" apt-get -o DPkg::Lock::Timeout=600 install -y --no-install-recommends \
                "${APT_PKGS[@]}" >>"$RESULTS/apt.log" 2>&1; then
            tail -n 30 "$RESULTS/apt.log"
            die "apt-get install ${APT_PKGS[*]} failed"
        fi
        log "== apt: done in $((SECONDS - t0)) s"
    fi
fi

command -v dotnet >/dev/null 2>&1 || die "dotnet SDK not found on PATH"

rm -rf "$RESULTS"
mkdir -p "$RESULTS"

# ---------------------------------------------------------------------------
# 2. Restore and build
# ---------------------------------------------------------------------------
t0=$SECONDS
if ! dotnet tool restore >"$RESULTS/tool-restore.log" 2>&1; then
    tail -n 30 "$RESULTS/tool-restore.log"
    die "dotnet tool restore failed"
fi
if ! dotnet restore CareLoop.slnx >"$RESULTS/restore.log" 2>&1; then
    grep -E ": error " "$RESULTS/restore.log" | sort -u | head -n 40 || tail -n 40 "$RESULTS/restore.log"
    die "dotnet restore failed"
fi
log "== restore: ok in $((SECONDS - t0)) s"

t0=$SECONDS
if ! dotnet build CareLoop.slnx -c Release --no-restore >"$RESULTS/build.log" 2>&1; then
    if ! grep -E ": error " "$RESULTS/build.log" | sed -E 's/ \[[^]]*\]$//' | sort -u | head -n 60; then
        tail -n 60 "$RESULTS/build.log"
    fi
    log "== build: FAILED in $((SECONDS - t0)) s (full log: $RESULTS/build.log)"
    TOTAL_FAILED=$((TOTAL_FAILED + 1))
    print_summary
    exit 1
fi
log "== build: ok in $((SECONDS - t0)) s"

# ---------------------------------------------------------------------------
# 3. EF Core migrations must match the model (once the contexts exist)
# ---------------------------------------------------------------------------
if grep -rq --include='*.cs' "class SqliteCareLoopDbContext" src; then
    for ctx in SqliteCareLoopDbContext PostgresCareLoopDbContext; do
        t0=$SECONDS
        if dotnet tool run dotnet-ef migrations has-pending-model-changes \
            --project src/CareLoop.Server --no-build --configuration Release \
            --context "$ctx" >"$RESULTS/ef-$ctx.log" 2>&1; then
            log "== ef $ctx: no pending model changes ($((SECONDS - t0)) s)"
        else
            log "== ef $ctx: FAILED - pending model changes or error ($((SECONDS - t0)) s)"
            grep -v -E '^\s*$' "$RESULTS/ef-$ctx.log" | tail -n 15 | cut -c1-200 | sed 's/^/   /' || true
            TOTAL_FAILED=$((TOTAL_FAILED + 1))
        fi
    done
fi

# ---------------------------------------------------------------------------
# 4. Throw-away PostgreSQL
# ---------------------------------------------------------------------------
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

free_port() {
    if command -v python3 >/dev/null 2>&1; then
        python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' \
            2>/dev/null && return 0
    fi
    local p
    for _ in $(seq 1 200); do
        p=$((20000 + RANDOM % 40000))
        if ! port_in_use "$p"; then
            echo "$p"
            return 0
        fi
    done
    return 1
}

start_postgres() {
    local initdb
    initdb="$(compgen -G "/usr/lib/postgresql/*/bin/initdb" | sort -V | tail -n1 || true)"
    [[ -n "$initdb" ]] || die "PostgreSQL initdb not found (/usr/lib/postgresql/*/bin/initdb)"
    PG_BIN="$(dirname "$initdb")"

    if [[ $EUID -eq 0 ]] && ! id postgres >/dev/null 2>&1; then
        useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
    fi

    PG_TMP="$(mktemp -d /tmp/careloop-pg.XXXXXX)"
    PG_DATA="$PG_TMP/data"
    mkdir -m 700 "$PG_DATA"
    if [[ $EUID -eq 0 ]]; then
        chown -R postgres:postgres "$PG_TMP"
    fi
    chmod 700 "$PG_TMP"

    if ! as_postgres "$initdb" -E UTF8 --locale=C.UTF-8 -U postgres --auth=trust -D "$PG_DATA" \
        >"$PG_TMP/initdb.log" 2>&1; then
        cp "$PG_TMP/initdb.log" "$RESULTS/postgres-initdb.log" 2>/dev/null || true
        tail -n 20 "$PG_TMP/initdb.log"
        die "initdb failed"
    fi

    local attempt
    for attempt in 1 2 3 4 5; do
        PG_PORT="$(free_port)" || die "no free TCP port found for PostgreSQL"
        if as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -w -t 60 -l "$PG_TMP/postgres.log" \
            -o "-p $PG_PORT -c listen_addresses=127.0.0.1 -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
            start >/dev/null 2>&1; then
            return 0
        fi
        log "   postgres did not start on port $PG_PORT (attempt $attempt)"
        tail -n 5 "$PG_TMP/postgres.log" 2>/dev/null | sed 's/^/   /' || true
        # Make sure nothing half-started lingers before retrying.
        as_postgres "$PG_BIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || true
    done
    cp "$PG_TMP/postgres.log" "$RESULTS/postgres.log" 2>/dev/null || true
    die "PostgreSQL failed to start (log: $RESULTS/postgres.log)"
}

t0=$SECONDS
start_postgres
log "== postgres: $("$PG_BIN/postgres" --version | sed 's/^postgres //') on 127.0.0.1:$PG_PORT (started in $((SECONDS - t0)) s)"
export CARELOOP_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=postgres;Pooling=true"
export CARELOOP_REQUIRE_POSTGRES=1

# ---------------------------------------------------------------------------
# 5. Test suites
# ---------------------------------------------------------------------------
# Prints "total executed passed failed skipped" followed by one block per failed
# test (name + first lines of its message) from an xunit TRX file.
parse_trx() {
    perl -e '
        local $/; my $x = <STDIN>;
        sub dec { my $s = shift; $s =~ s/&lt;/</g; $s =~ s/&gt;/>/g; $s =~ s/&quot;/"/g;
                  $s =~ s/&apos;/\x27/g; $s =~ s/&#x([0-9A-Fa-f]+);/chr(hex($1))/ge;
                  $s =~ s/&#(\d+);/chr($1)/ge; $s =~ s/&amp;/&/g; return $s; }
        my %c;
        if ($x =~ /<Counters\b([^>]*)>/) { my $a = $1; $c{$1} = $2 while $a =~ /(\w+)="(\d+)"/g; }
        my $failed = ($c{failed}//0) + ($c{error}//0) + ($c{timeout}//0) + ($c{aborted}//0);
        printf "%d %d %d %d %d\n", $c{total}//0, $c{executed}//0, $c{passed}//0, $failed, $c{notExecuted}//0;
        my $shown = 0; my $n = 0;
        while ($x =~ /<UnitTestResult\b([^>]*?)(\/>|>(.*?)<\/UnitTestResult>)/gs) {
            my ($attrs, $body) = ($1, $3 // "");
            next unless $attrs =~ /outcome="(Failed|Error|Timeout|Aborted)"/;
            $n++;
            next if $shown >= 50;
            $shown++;
            my ($name) = $attrs =~ /testName="([^"]*)"/;
            print "   FAILED ", dec($name // "?"), "\n";
            if ($body =~ /<Message>(.*?)<\/Message>/s) {
                my @l = grep { /\S/ } split /\r?\n/, dec($1);
                my $more = @l > 8 ? "      ...\n" : "";
                @l = @l[0..7] if @l > 8;
                print map { "      $_\n" } @l;
                print $more;
            }
        }
        print "   ... and ", $n - $shown, " more failed tests\n" if $n > $shown;
    ' <"$1"
}

for suite in "${SUITES[@]}"; do
    proj="tests/$suite"
    if [[ ! -f "$proj/$suite.csproj" ]]; then
        log "== $suite: project not found, skipped"
        continue
    fi
    trx="$RESULTS/$suite.trx"
    t0=$SECONDS
    rc=0
    dotnet test --project "$proj" --no-build -c Release --no-ansi --no-progress \
        --results-directory "$RESULTS" --report-xunit-trx --report-xunit-trx-filename "$suite.trx" \
        --timeout "$TEST_TIMEOUT" >"$RESULTS/$suite.log" 2>&1 || rc=$?
    elapsed=$((SECONDS - t0))

    passed=0 failed=0 skipped=0 details="" note=""
    if [[ -s "$trx" ]]; then
        parsed="$(parse_trx "$trx" || true)"
        read -r _total _executed passed failed skipped <<<"$(head -n1 <<<"$parsed")" || true
        passed=${passed:-0} failed=${failed:-0} skipped=${skipped:-0}
        details="$(tail -n +2 <<<"$parsed")"
    else
        note=" (no TRX report produced)"
    fi

    # Exit codes: 0 = ok, 2 = test failures, 8 = zero tests ran (fine, e.g. empty suite).
    crashed=0
    if [[ $rc -ne 0 && $rc -ne 8 && $failed -eq 0 ]]; then
        crashed=1
    elif [[ ! -s "$trx" && $rc -ne 8 ]]; then
        crashed=1
    fi
    if [[ $crashed -eq 1 ]]; then
        failed=$((failed + 1))
        note="$note (test process exited with code $rc)"
    fi

    log "== $suite: $passed passed, $failed failed, $skipped skipped in $elapsed s$note"
    [[ -n "$details" ]] && printf '%s\n' "$details"
    if [[ $crashed -eq 1 ]]; then
        log "   excerpt of $RESULTS/$suite.log:"
        grep -v -E '^\s*$' "$RESULTS/$suite.log" | head -n 20 | cut -c1-200 | sed 's/^/   | /' || true
        log "   | ..."
        grep -v -E '^\s*$' "$RESULTS/$suite.log" | tail -n 2 | cut -c1-200 | sed 's/^/   | /' || true
    fi

    TOTAL_PASSED=$((TOTAL_PASSED + passed))
    TOTAL_FAILED=$((TOTAL_FAILED + failed))
    TOTAL_SKIPPED=$((TOTAL_SKIPPED + skipped))
done

# ---------------------------------------------------------------------------
# 6. Benchmark smoke test (built by the solution build)
# ---------------------------------------------------------------------------
BENCH_DLL="bench/CareLoop.Bench/bin/Release/net10.0/CareLoop.Bench.dll"
if [[ -f "$BENCH_DLL" ]] && grep -rq --exclude-dir=bin --exclude-dir=obj -- "--smoke" bench/CareLoop.Bench; then
    t0=$SECONDS
    rc=0
    timeout -k 10 60 dotnet "$BENCH_DLL" --smoke >"$RESULTS/bench-smoke.log" 2>&1 || rc=$?
    if [[ $rc -eq 0 ]]; then
        log "== bench smoke: ok in $((SECONDS - t0)) s"
    else
        [[ $rc -eq 124 ]] && rc="124 (timed out after 60 s)"
        log "== bench smoke: FAILED with exit code $rc in $((SECONDS - t0)) s"
        grep -v -E '^\s*$' "$RESULTS/bench-smoke.log" | tail -n 20 | cut -c1-200 | sed 's/^/   | /' || true
        TOTAL_FAILED=$((TOTAL_FAILED + 1))
    fi
fi

# ---------------------------------------------------------------------------
# 7. Summary
# ---------------------------------------------------------------------------
stop_postgres
print_summary
[[ $TOTAL_FAILED -eq 0 ]]
