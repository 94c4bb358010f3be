#!/bin/sh
# Install the kiosk as a system service on a fresh Debian 12 PC (run as root, from the clone
# in /opt/kiosk). Safe to run again: it keeps an existing /etc/kiosk/kiosk.yaml and token.
# See README "Deploying on a kiosk PC".
set -eu

DIR=/opt/kiosk
CONFIG=/etc/kiosk/kiosk.yaml
ENVFILE=/etc/kiosk/kiosk.env
KIOSK="$DIR/.venv/bin/kiosk"

[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo deploy/install.sh)" >&2; exit 1; }
[ -f "$DIR/Makefile" ] || { echo "install.sh: clone the repository to $DIR first" >&2; exit 1; }
cd "$DIR"

echo "1. Debian packages and the Python environment"
make apt-run .venv/.installed models
"$DIR/.venv/bin/python" -m compileall -q "$DIR/kiosk"  # /opt/kiosk is read-only to the service

echo "2. The unprivileged user 'kiosk' (audio group: it opens the sound card)"
id kiosk >/dev/null 2>&1 ||
    useradd --system --home-dir /var/lib/kiosk --shell /usr/sbin/nologin kiosk
usermod -a -G audio kiosk
install -d -o kiosk -g kiosk -m 0750 /var/lib/kiosk /var/cache/kiosk

echo "3. Settings in $CONFIG and the staff token in $ENVFILE"
install -d -m 0755 /etc/kiosk
if [ ! -f "$CONFIG" ]; then
    cat >"$CONFIG" <<'YAML'
# This kiosk PC's settings: only what differs from the defaults. Every setting, with its
# default and what it does, is in /opt/kiosk/kiosk.yaml; copy lines from there to change them.
# Use absolute paths here. After editing: sudo systemctl restart kiosk
voice:
  cache: /var/cache/kiosk/speech
matcher:
  cache: /var/cache/kiosk/matcher
usage:
  database: /var/lib/kiosk/usage.db
YAML
fi
if [ ! -f "$ENVFILE" ]; then
    token=$("$DIR/.venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(18))')
    printf 'KIOSK_STAFF_TOKEN=%s\n' "$token" >"$ENVFILE"
    echo "   staff token (give it to the nurses; it is kept in $ENVFILE): $token"
fi
chown root:kiosk "$ENVFILE"
chmod 0640 "$ENVFILE"

echo "4. Pre-rendered speech (a few minutes the first time)"
runuser -u kiosk -- env HOME=/var/lib/kiosk "$KIOSK" --config "$CONFIG" render ||
    echo "   rendering failed: the kiosk still speaks, rendering on demand; see kiosk doctor"

echo "5. Checks (with the service stopped: it would hold the sound card)"
systemctl stop kiosk.service 2>/dev/null || true
set -a; . "$ENVFILE"; set +a
runuser -u kiosk -- env HOME=/var/lib/kiosk KIOSK_STAFF_TOKEN="$KIOSK_STAFF_TOKEN" \
    "$KIOSK" --config "$CONFIG" doctor || true

echo "6. The service (it takes over the console tty1 for the big button's key presses)"
install -m 0644 deploy/kiosk.service /etc/systemd/system/kiosk.service
install -m 0644 deploy/kiosk-restart.service deploy/kiosk-restart.timer /etc/systemd/system/
systemctl daemon-reload
systemctl mask getty@tty1.service
systemctl enable --now kiosk.service
echo "7. A restart every night at 03:00 (kiosk-restart.timer)"
systemctl enable --now kiosk-restart.timer

echo "Done. Logs: journalctl -u kiosk -f    Status: $KIOSK --config $CONFIG status"
