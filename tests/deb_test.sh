#!/usr/bin/env bash
# The Debian package, end to end on this machine (docs/deploy.md):
#   1. built by cpack from the build tree (CPackConfig.cmake), as `make deb` does;
#   2. its control data checked (Depends from dpkg-shlibdeps, conffile, scripts);
#   3. installed with `dpkg -i`: the account vigie, /var/lib/vigie, /etc/vigie permissions,
#      vigie.service enabled and the role units not; the installed units checked by
#      `systemd-analyze verify` where that exists;
#   4. the first account made as deploy.md says, a camera added to the config (vtest.avi,
#      when opencv-doc is there), then vigie.service started — by systemd where systemd
#      runs (runtime drop-ins add --listen 127.0.0.1:0), else as systemd would: the unit's
#      ExecStart, as its User/Group, with its Environment, WorkingDirectory and UMask (the
#      sandboxing options are systemd's alone);
#   5. /api/v1/health (the camera online), the console's index.html and a login answered on
#      the port it bound; it runs as vigie and what it wrote belongs to vigie; SIGTERM
#      stops it cleanly;
#   6. the roles: with a throwaway PostgreSQL 15 cluster (password in /etc/vigie/pgpass,
#      as deploy.md says), vigie-api and vigie-worker started from their units, their
#      health and a login on the API checked, both stopped (skipped without PostgreSQL 15
#      or without `vigie serve --role`);
#   7. `dpkg --purge`: program, console, units, config, data and enablement links gone;
#      a file the admin added to /etc/vigie (pgpass) is kept, with its folder.
# Usage: tests/deb_test.sh BUILD_DIR SOURCE_DIR. Exit 77 (skipped) without root or dpkg,
# without the console (make web), or when this machine already has a vigie package,
# /etc/vigie or /var/lib/vigie (not ours to touch).
set -uo pipefail

BUILD=$(cd "${1:?usage: deb_test.sh BUILD_DIR SOURCE_DIR}" && pwd)
SOURCE=$(cd "${2:?usage: deb_test.sh BUILD_DIR SOURCE_DIR}" && pwd)
T0=$SECONDS

skip() { echo "deb_test: SKIPPED: $*"; exit 77; }
fail() {
  echo "deb_test: FAILED: $*" >&2
  for log in "${TMP:-/nonexistent}"/*.service.log; do
    [ -s "$log" ] && { echo "--- $(basename "$log"):" >&2; tail -20 "$log" >&2; }
  done
  exit 1
}
step() { echo "deb_test: [$((SECONDS - T0))s] $*"; }

[ "$(id -u)" -eq 0 ] || skip "needs root (dpkg -i installs the package on this machine)"
for tool in dpkg dpkg-deb dpkg-query cpack setpriv runuser curl; do
  command -v "$tool" >/dev/null || skip "$tool is missing"
done
[ -x "$BUILD/vigie" ] || fail "$BUILD/vigie is not built"
[ -f "$BUILD/CPackConfig.cmake" ] || fail "$BUILD/CPackConfig.cmake is missing (configure with CMake first)"
WEB=$(sed -n 's/^VIGIE_WEB_DIST:PATH=//p' "$BUILD/CMakeCache.txt")
WEB=${WEB:-$SOURCE/web/dist}
[ -f "$WEB/index.html" ] || skip "the console is not built ($WEB): run make web"
if dpkg-query -W -f='${Status}' vigie 2>/dev/null | grep -qv "not-installed"; then
  skip "a vigie package is already on this machine ($(dpkg-query -W -f='${Status} ${Version}' vigie)); not touching it"
fi
for p in /etc/vigie /var/lib/vigie /usr/share/vigie /usr/bin/vigie; do
  [ -e "$p" ] && skip "$p exists and is not from a vigie package; not touching it"
done

SYSTEMD=""
[ -d /run/systemd/system ] && SYSTEMD=1  # what deb-systemd-invoke itself checks

TMP=$(mktemp -d /tmp/vigie-deb-test.XXXXXX)
PGDIR=""
PG=/usr/lib/postgresql/15/bin
declare -A PIDS=()   # unit → vigie's pid, while it runs
INSTALLED=""
USER_BEFORE=""
getent passwd vigie >/dev/null && USER_BEFORE=1
DROPINS=()

cleanup() {
  for pid in "${PIDS[@]}"; do kill -KILL "$pid" 2>/dev/null; done
  if [ -n "$SYSTEMD" ]; then systemctl stop vigie.service vigie-api.service vigie-worker.service 2>/dev/null; fi
  if [ -n "$INSTALLED" ]; then dpkg --purge vigie >/dev/null 2>&1; fi
  rm -f /etc/vigie/pgpass; rmdir /etc/vigie 2>/dev/null
  if [ -n "$PGDIR" ]; then
    runuser -u postgres -- "$PG/pg_ctl" -D "$PGDIR/data" -m immediate stop >/dev/null 2>&1
    rm -rf "$PGDIR"
  fi
  if [ ${#DROPINS[@]} -gt 0 ]; then
    for d in "${DROPINS[@]}"; do rm -f "$d"; rmdir "$(dirname "$d")" 2>/dev/null; done
    systemctl daemon-reload 2>/dev/null
  fi
  # The package keeps its system account on purge (Debian's rule); the test leaves the
  # machine as it found it.
  if [ -z "$USER_BEFORE" ] && getent passwd vigie >/dev/null; then
    deluser --system --quiet vigie >/dev/null 2>&1 || userdel vigie 2>/dev/null
    if getent group vigie >/dev/null; then delgroup --system --quiet vigie >/dev/null 2>&1 || groupdel vigie 2>/dev/null; fi
  fi
  rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# start_unit UNIT: starts the installed unit with --listen 127.0.0.1:0 added, waits until
# vigie says where it listens; sets PORT and PIDS[UNIT]; its output in $TMP/UNIT.log.
start_unit() {
  local name=$1 file=/lib/systemd/system/$1 log=$TMP/$1.log since
  PORT=""
  if [ -n "$SYSTEMD" ]; then
    since=$(date +%s)
    systemctl start "$name" || fail "systemctl start $name"
    for _ in $(seq 300); do
      journalctl -u "$name" --since "@$since" -o cat --no-pager >"$log" 2>/dev/null
      PORT=$(sed -n 's|.*http://127.0.0.1:\([0-9][0-9]*\).*|\1|p' "$log" | tail -1)
      [ -n "$PORT" ] && break
      systemctl is-failed --quiet "$name" && break
      sleep 0.1
    done
    PIDS[$name]=$(systemctl show -p MainPID --value "$name")
  else
    unit() { sed -n "s/^$1=//p" "$file" | tail -1; }
    local exec user group workdir mask line kv
    exec=$(unit ExecStart); user=$(unit User); group=$(unit Group)
    workdir=$(unit WorkingDirectory); mask=$(unit UMask)
    { [ -n "$exec" ] && [ -n "$user" ] && [ -n "$workdir" ]; } || fail "$name lacks ExecStart, User or WorkingDirectory"
    # Environment= lines (no quoting in ours), and what systemd sets for a User= service.
    local envs=(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 USER="$user"
                LOGNAME="$user" SHELL=/usr/sbin/nologin)
    while read -r line; do
      for kv in $line; do envs+=("$kv"); done
    done < <(sed -n 's/^Environment=//p' "$file")
    # setpriv execs (no parent left behind), so $! is vigie's own pid, as systemd's
    # MainPID. Its output to a file stands for the journal.
    setpriv --reuid="$user" --regid="${group:-$user}" --init-groups \
      env -i "${envs[@]}" sh -c "umask ${mask:-0022} && cd '$workdir' && exec $exec --listen 127.0.0.1:0" \
      >"$log" 2>&1 </dev/null &
    PIDS[$name]=$!
    for _ in $(seq 300); do
      PORT=$(sed -n 's|.*http://127.0.0.1:\([0-9][0-9]*\).*|\1|p' "$log" | tail -1)
      [ -n "$PORT" ] && break
      kill -0 "${PIDS[$name]}" 2>/dev/null || break
      sleep 0.1
    done
  fi
  [ -n "$PORT" ] || fail "$name did not say where it listens within 30 s"
  [ "$(stat -c %U "/proc/${PIDS[$name]}")" = vigie ] || fail "$name runs as $(stat -c %U "/proc/${PIDS[$name]}"), not vigie"
  step "$name: vigie serve (pid ${PIDS[$name]}) listens on 127.0.0.1:$PORT"
}

# stop_unit UNIT: SIGTERM (systemctl stop where systemd runs); it must end cleanly.
stop_unit() {
  local name=$1 rc
  if [ -n "$SYSTEMD" ]; then
    systemctl stop "$name"
    systemctl is-failed --quiet "$name" && fail "$name failed when stopped"
  else
    kill -TERM "${PIDS[$name]}"
    wait "${PIDS[$name]}"; rc=$?
    [ "$rc" -eq 0 ] || fail "$name: vigie serve exited $rc on SIGTERM"
  fi
  unset "PIDS[$name]"
}

# check_health PORT ROLE: /api/v1/health is ok (and names ROLE when it names one).
check_health() {
  local health
  health=$(curl -fsS --max-time 10 "http://127.0.0.1:$1/api/v1/health") || fail "GET /api/v1/health on port $1"
  echo "deb_test: /api/v1/health: $health"
  grep -q '"status":"ok"' <<<"$health" || fail "health is not ok: $health"
  if grep -q '"role"' <<<"$health"; then
    grep -q "\"role\":\"$2\"" <<<"$health" || fail "health names another role than $2: $health"
  fi
}

# login PORT NAME PASSWORD ROLE: a session for NAME, with ROLE.
login() {
  local url="http://127.0.0.1:$1" code session
  code=$(curl -sS --max-time 20 -o "$TMP/login.json" -w '%{http_code}' -c "$TMP/cookies" \
    -H 'Content-Type: application/json' -H "Origin: $url" \
    --data "{\"name\":\"$2\",\"password\":\"$3\"}" "$url/api/v1/login") || fail "POST /api/v1/login"
  [ "$code" = 200 ] || fail "login as $2 answered $code: $(cat "$TMP/login.json")"
  session=$(curl -fsS --max-time 10 -b "$TMP/cookies" "$url/api/v1/session") || fail "GET /api/v1/session"
  grep -q "\"$4\"" <<<"$session" || fail "the session is not a $4's: $session"
}

# --- 1. the package ----------------------------------------------------------------------
step "cpack -G DEB from $BUILD"
cpack --config "$BUILD/CPackConfig.cmake" -G DEB -B "$TMP/pkg" >"$TMP/cpack.log" 2>&1 \
  || { cat "$TMP/cpack.log" >&2; fail "cpack failed"; }
DEB=$(find "$TMP/pkg" -maxdepth 1 -name "vigie_*.deb" | head -1)
[ -f "$DEB" ] || { cat "$TMP/cpack.log" >&2; fail "no vigie_*.deb in $TMP/pkg"; }
step "built $(basename "$DEB") ($(du -h "$DEB" | cut -f1))"

# --- 2. what it holds ---------------------------------------------------------------------
DEPENDS=$(dpkg-deb -f "$DEB" Depends)
echo "deb_test: Depends: $DEPENDS"
for dep in adduser init-system-helpers libc6 libopencv-core libyaml-cpp libsqlite3 libpqxx libsodium libavformat; do
  grep -q "$dep" <<<"$DEPENDS" || fail "Depends lacks $dep (dpkg-shlibdeps did not run?)"
done
dpkg-deb -e "$DEB" "$TMP/control"
grep -qx /etc/vigie/vigie.yaml "$TMP/control/conffiles" || fail "/etc/vigie/vigie.yaml is not a conffile"
for s in postinst prerm postrm; do [ -x "$TMP/control/$s" ] || fail "maintainer script $s missing or not executable"; done
dpkg-deb -c "$DEB" >"$TMP/contents"
for f in ./usr/bin/vigie ./usr/share/vigie/web/index.html ./etc/vigie/vigie.yaml \
         ./lib/systemd/system/vigie.service ./lib/systemd/system/vigie-api.service \
         ./lib/systemd/system/vigie-worker.service ./usr/share/doc/vigie/deploy.md \
         ./usr/share/vigie/plate-models/text-recogniser.onnx; do
  grep -q " $f\$" "$TMP/contents" || fail "the package lacks $f"
done
grep -q 'vigie-camsim' "$TMP/contents" && fail "vigie-camsim is in the package (a test tool, left out)"

# --- 3. dpkg -i ---------------------------------------------------------------------------
if [ -n "$SYSTEMD" ]; then
  # systemd runs here: postinst starts vigie.service; each unit on a port of its choosing.
  for u in vigie vigie-api vigie-worker; do
    d=/run/systemd/system/$u.service.d/deb-test.conf
    mkdir -p "$(dirname "$d")"
    printf '[Service]\nExecStart=\nExecStart=%s --listen 127.0.0.1:0\n' \
      "$(sed -n 's/^ExecStart=//p' "$SOURCE/packaging/systemd/$u.service")" >"$d"
    DROPINS+=("$d")
  done
  systemctl daemon-reload
fi
step "dpkg -i"
INSTALLED=1
dpkg -i "$DEB" >"$TMP/dpkg.log" 2>&1 || { cat "$TMP/dpkg.log" >&2; fail "dpkg -i failed"; }
[ "$(dpkg-query -W -f='${Status}' vigie)" = "install ok installed" ] || fail "vigie is not 'install ok installed'"

IFS=: read -r _ _ VUID _ _ VHOME VSHELL < <(getent passwd vigie) || fail "no account vigie after install"
[ "$VUID" -lt 1000 ] || fail "vigie's uid $VUID is not a system uid"
[ "$VSHELL" = /usr/sbin/nologin ] || fail "vigie's shell is $VSHELL, not /usr/sbin/nologin"
[ "$VHOME" = /var/lib/vigie ] || fail "vigie's home is $VHOME, not /var/lib/vigie"
[ "$(stat -c '%U:%G %a' /var/lib/vigie)" = "vigie:vigie 750" ] || fail "/var/lib/vigie is $(stat -c '%U:%G %a' /var/lib/vigie)"
[ "$(stat -c '%U:%G %a' /etc/vigie)" = "root:vigie 750" ] || fail "/etc/vigie is $(stat -c '%U:%G %a' /etc/vigie)"
[ "$(stat -c '%U:%G %a' /etc/vigie/vigie.yaml)" = "root:vigie 640" ] || fail "vigie.yaml is $(stat -c '%U:%G %a' /etc/vigie/vigie.yaml)"
[ -L /etc/systemd/system/multi-user.target.wants/vigie.service ] || fail "vigie.service is not enabled"
for u in vigie-api vigie-worker; do
  [ -e "/etc/systemd/system/multi-user.target.wants/$u.service" ] && fail "$u.service is enabled (it needs a PostgreSQL store first)"
done
cmp -s /usr/share/vigie/web/index.html "$WEB/index.html" || fail "the packaged console differs from $WEB"
grep -q '^  web_root: /usr/share/vigie/web' /etc/vigie/vigie.yaml || fail "the config does not point at /usr/share/vigie/web"
PHOTO="$SOURCE/../shared/data/plates/fr_qanastek/test/1020 HG 90.jpg"
if [ -f "$PHOTO" ]; then  # the installed vigie finds its plate models in /usr/share/vigie
  step "vigie plates read (installed)"
  env -u VIGIE_PLATE_MODELS /usr/bin/vigie plates read --json "$PHOTO" | grep -q '"plate": "1020HG90"' \
    || fail "the installed vigie does not read a plate with its packaged models"
fi

if command -v systemd-analyze >/dev/null; then
  step "systemd-analyze verify"
  # It exits 0 on unknown keys and bad values, and says so: any line but the host's
  # targets is a failure.
  systemd-analyze verify /lib/systemd/system/vigie.service /lib/systemd/system/vigie-api.service \
    /lib/systemd/system/vigie-worker.service >"$TMP/verify.log" 2>&1 \
    || { cat "$TMP/verify.log" >&2; fail "systemd-analyze verify failed"; }
  if grep -v -e 'network-online.target' -e '^$' "$TMP/verify.log" | grep -q .; then
    cat "$TMP/verify.log" >&2; fail "systemd-analyze verify found problems in the units"
  fi
else
  echo "deb_test: (no systemd-analyze: the units are not verified)"
fi

# --- 4. the first account, then the service -----------------------------------------------
password() { echo "deb-test-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')"; }
ADMIN_PASSWORD=$(password)
step "vigie user add admin (as vigie, deploy.md's first step)"
printf '%s\n' "$ADMIN_PASSWORD" | runuser -u vigie -- /usr/bin/vigie user add admin --role admin \
  --store /var/lib/vigie/vigie.db >"$TMP/useradd.log" 2>&1 || { cat "$TMP/useradd.log" >&2; fail "vigie user add"; }

# A camera: a file that the service account can read (Debian's opencv-doc), so that
# decoding and analysis run in the installed program too.
VTEST=/usr/share/doc/opencv-doc/examples/data/vtest.avi
CAMERAS=0
if [ -r "$VTEST" ]; then
  printf '  deb-test:\n    input: %s\n    analyze_fps: 2\n' "$VTEST" >>/etc/vigie/vigie.yaml
  CAMERAS=1
fi

if [ -n "$SYSTEMD" ]; then step "systemd is PID 1: the units run under systemd"
else step "systemd is not PID 1: the units' ExecStart run as systemd would"; fi
start_unit vigie.service

# --- 5. what it answers --------------------------------------------------------------------
check_health "$PORT" all
grep -q "\"cameras\":$CAMERAS" <<<"$(curl -fsS --max-time 10 "http://127.0.0.1:$PORT/api/v1/health")" \
  || fail "health does not count $CAMERAS camera(s)"
if [ "$CAMERAS" = 1 ]; then
  for _ in $(seq 150); do
    curl -fsS --max-time 10 "http://127.0.0.1:$PORT/api/v1/health" | grep -q '"online":1' && break
    sleep 0.1
  done
  curl -fsS --max-time 10 "http://127.0.0.1:$PORT/api/v1/health" | grep -q '"online":1' \
    || fail "the camera (vtest.avi) did not come online within 15 s"
  step "the camera is online"
fi
curl -fsS --max-time 10 "http://127.0.0.1:$PORT/" -o "$TMP/index.html" || fail "GET /"
cmp -s "$TMP/index.html" /usr/share/vigie/web/index.html || fail "GET / is not the packaged console's index.html"
login "$PORT" admin "$ADMIN_PASSWORD" admin
step "health ok, console served, admin logged in"
OWNED=$(find /var/lib/vigie -mindepth 1 ! -user vigie -printf '%p ' 2>/dev/null)
[ -z "$OWNED" ] || fail "files in /var/lib/vigie not owned by vigie: $OWNED"
[ -f /var/lib/vigie/vigie.db ] || fail "no /var/lib/vigie/vigie.db"
stop_unit vigie.service
step "vigie.service stopped cleanly"
sed -i '/^  deb-test:$/,$d' /etc/vigie/vigie.yaml   # the roles below run without a camera

# --- 6. the roles, on a throwaway PostgreSQL 15 ----------------------------------------------
if [ ! -x "$PG/initdb" ] || ! getent passwd postgres >/dev/null; then
  echo "deb_test: (no PostgreSQL 15 in $PG: vigie-api and vigie-worker not started)"
elif ! /usr/bin/vigie serve --help 2>/dev/null | grep -q -- '--role'; then
  echo "deb_test: (this vigie has no serve --role: vigie-api and vigie-worker not started)"
else
  step "a PostgreSQL 15 cluster for vigie-api and vigie-worker"
  PGDIR=$(mktemp -d /tmp/vigie-deb-pg.XXXXXX)
  chown postgres "$PGDIR"
  PGPORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])') \
    || fail "no free port for PostgreSQL"
  PG_PASSWORD=$(password)
  printf '%s\n' "$PG_PASSWORD" >"$PGDIR/pwfile"; chown postgres "$PGDIR/pwfile"
  runuser -u postgres -- "$PG/initdb" -D "$PGDIR/data" -U postgres --pwfile="$PGDIR/pwfile" \
    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-sync >"$PGDIR/initdb.log" 2>&1 \
    || { cat "$PGDIR/initdb.log" >&2; fail "initdb"; }
  runuser -u postgres -- "$PG/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/server.log" -w -t 60 \
    -o "-p $PGPORT -k $PGDIR -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null 2>&1 \
    || { cat "$PGDIR/server.log" >&2; fail "the PostgreSQL server did not start"; }
  runuser -u postgres -- "$PG/createdb" -h "$PGDIR" -p "$PGPORT" vigie || fail "createdb vigie"
  # deploy.md: the password in /etc/vigie/pgpass (vigie's, mode 600), the URL without it,
  # the config's commented store lines taken.
  install -o vigie -g vigie -m 600 /dev/null /etc/vigie/pgpass
  echo "127.0.0.1:$PGPORT:vigie:postgres:$PG_PASSWORD" >/etc/vigie/pgpass
  URL="postgresql://postgres@127.0.0.1:$PGPORT/vigie"
  sed -i -e "s|^  # url: postgresql://.*|  url: $URL|" -e 's|^  # audit_key: |  audit_key: |' /etc/vigie/vigie.yaml
  { grep -q "^  url: $URL" /etc/vigie/vigie.yaml && grep -q '^  audit_key: /var/lib/vigie/audit.key' /etc/vigie/vigie.yaml; } \
    || fail "the config's commented url/audit_key lines are not where deploy.md says"
  CHIEF_PASSWORD=$(password)
  printf '%s\n' "$CHIEF_PASSWORD" | runuser -u vigie -- env PGPASSFILE=/etc/vigie/pgpass /usr/bin/vigie user add chief \
    --role supervisor --store "$URL" --audit-key /var/lib/vigie/audit.key >"$TMP/useradd.log" 2>&1 \
    || { cat "$TMP/useradd.log" >&2; fail "vigie user add on the PostgreSQL store"; }
  start_unit vigie-worker.service
  check_health "$PORT" worker
  start_unit vigie-api.service
  check_health "$PORT" api
  login "$PORT" chief "$CHIEF_PASSWORD" supervisor
  step "vigie-api and vigie-worker up on PostgreSQL; chief logged in on the API"
  stop_unit vigie-api.service
  stop_unit vigie-worker.service
  step "vigie-api and vigie-worker stopped cleanly"
fi

# --- 7. dpkg --purge -------------------------------------------------------------------------
step "dpkg --purge"
[ -f /etc/vigie/pgpass ] || echo "admin's file" >/etc/vigie/pgpass   # a file not from the package
dpkg --purge vigie >"$TMP/purge.log" 2>&1 || { cat "$TMP/purge.log" >&2; fail "dpkg --purge failed"; }
INSTALLED=""
dpkg-query -W -f='${Status}' vigie 2>/dev/null | grep -q "install ok" && fail "vigie still installed"
[ "$(ls -A /etc/vigie 2>/dev/null)" = pgpass ] || fail "purge should keep /etc/vigie with the admin's pgpass only: $(ls -A /etc/vigie 2>&1)"
rm -f /etc/vigie/pgpass && rmdir /etc/vigie
for p in /usr/bin/vigie /usr/share/vigie /usr/share/doc/vigie /var/lib/vigie \
         /lib/systemd/system/vigie.service /lib/systemd/system/vigie-api.service \
         /lib/systemd/system/vigie-worker.service /etc/systemd/system/multi-user.target.wants/vigie.service \
         /etc/systemd/system/vigie.service /etc/systemd/system/vigie-api.service /etc/systemd/system/vigie-worker.service; do
  { [ -e "$p" ] || [ -L "$p" ]; } && fail "$p is left after purge"
done
LEFT=$(find /var/lib/systemd/deb-systemd-helper-enabled /var/lib/systemd/deb-systemd-helper-masked \
  -name '*vigie*' 2>/dev/null)
[ -z "$LEFT" ] || fail "deb-systemd-helper state left after purge: $LEFT"
step "purged: nothing of the package left (the account vigie stays, as Debian keeps system accounts; the test removes it)"
echo "deb_test: PASSED in $((SECONDS - T0)) s"
